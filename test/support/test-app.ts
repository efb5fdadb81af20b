import type { AppProps } from 'aws-cdk-lib';

/**
 * Props for the Apps of the template tests, which synthesize a few hundred times per `npm test`:
 * - no asset bundling (`aws:cdk:bundling-stacks`: the function is the prebuilt dist/function asset);
 * - no construct tree file (`treeMetadata`) and no stack traces in the construct metadata: no
 *   assertion reads them, and under Jest, whose source maps rewrite every stack frame, they cost
 *   about a quarter of each synth's CPU (measured: 16.9 → 12.8 CPU-s for two template test files).
 *   The price: a cdk-nag or schema finding is reported without the source line that created the
 *   construct; to see it while debugging, drop the two `disable-*stack-trace*` keys here for a run;
 * - no built-in CloudFormation schema validation, unless `schemaCheck`: it costs about 5 s of CPU to
 *   start in every test file and, by default, only warns. With `schemaCheck` it runs and its
 *   errors fail the synth (`@aws-cdk/core:validateAgainstDefaultRules`), as test/fleet/schema.fleet.ts
 *   does over the example stack's variants (`npm run test:fleet`).
 * `builtinCloudFormationValidation` follows `schemaCheck` and `treeMetadata` is off, whatever the
 * caller passes; `context` is merged over the keys above; other props are passed as they are.
 */
export function testAppProps(props: AppProps & { readonly schemaCheck?: boolean } = {}): AppProps {
  const { schemaCheck = false, context, ...rest } = props;
  return {
    ...rest,
    builtinCloudFormationValidation: schemaCheck,
    treeMetadata: false,
    context: {
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:disable-stack-trace': true,
      'aws:cdk:disable-creation-stack-traces': true,
      ...(schemaCheck ? { '@aws-cdk/core:validateAgainstDefaultRules': true } : {}),
      ...context,
    },
  };
}
