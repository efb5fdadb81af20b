/**
 * The 5,000-app fleet against the deploy quotas (test/support/quotas.ts), every app refreshing 2 ECS
 * services with refreshOnRotation (10,000 services). Too slow for `npm test` (about 40 s of synth):
 * `npm run test:fleet`, run by .ci/run.
 */
import { checkAssembly, type TemplateJson } from '../support/quotas';
import { synthFleet } from '../support/fleet';

test('a fleet of 5,000 apps (4,000 existing, 1,000 created), each refreshing 2 ECS services, breaks no quota in any stack', () => {
  const { stacks } = synthFleet({ existing: 4000, created: 1000, refreshEvery: 1 });
  const reports = checkAssembly(stacks);
  expect(reports.flatMap((r) => r.violations)).toEqual([]);
  expect(Math.max(...reports.map((r) => r.resources))).toBeLessThanOrEqual(500);

  const ofType = (template: unknown, ...types: string[]) => Object.values((template as TemplateJson).Resources ?? {}).filter((r) => types.includes(r.Type));
  const [main, ...apps] = stacks;
  // Per app: its schedule (a created one also its secret and resource policy) and its refresh rule;
  // per app stack: its refresh role and the policies granting it that stack's services.
  const refreshIam = apps.reduce((sum, { template }) => sum + ofType(template, 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy').length, 0);
  expect(reports.slice(1).reduce((sum, r) => sum + r.resources, 0)).toBe(4000 + 3 * 1000 + 5000 + refreshIam);
  expect(apps.every(({ template }) => ofType(template, 'AWS::IAM::Role').length === 1)).toBe(true);
  // Every service granted to its app stack's role, each once, by its long ARN and the short one an
  // imported service may still have (lib/refresh-plan.ts): 10,000 services, 20,000 ARNs.
  const granted = apps.flatMap(({ template }) =>
    ofType(template, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy').flatMap((p) => (p.Properties!.PolicyDocument as { Statement: { Resource: string[] }[] }).Statement.flatMap((s) => s.Resource)),
  );
  expect(new Set(granted).size).toBe(20_000);
  // The construct's stack holds one invoke permission for all 5,000 refresh rules.
  expect(ofType(main!.template, 'AWS::Lambda::Permission')).toHaveLength(3);
});
