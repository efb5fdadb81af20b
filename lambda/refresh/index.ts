import { createLogger } from '../logger';
import { memoize } from '../runtime';
import type { EcsDeployer } from './ecs-client';
import { SignedEcsClient } from './ecs-client';
import { createRefreshHandler } from './handler';
import { assumedRoleCredentials, SignedStsClient } from './sts-client';

/** The service refresh's Lambda entry, exported from lambda/index.ts as `refreshHandler` (same bundle as the rotation). */
export const refreshHandler = createRefreshHandler({
  logger: createLogger(),
  resolve: memoize(() => {
    const region = process.env.AWS_REGION;
    if (!region) throw new Error('AWS_REGION is not set (Lambda always sets it; locally, export it)');
    const endpoint = process.env.AWS_ENDPOINT_URL_ECS ?? process.env.AWS_ENDPOINT_URL;
    const sts = new SignedStsClient({ region, endpoint: process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL });
    const own = new SignedEcsClient({ region, endpoint });
    // One client per role, each keeping its role's credentials across invocations of the container.
    const byRole = new Map<string, EcsDeployer>();
    const ecsFor = (roleArn: string | undefined): EcsDeployer => {
      if (roleArn === undefined) return own;
      let ecs = byRole.get(roleArn);
      if (!ecs) {
        ecs = new SignedEcsClient({ region, endpoint, credentials: assumedRoleCredentials(sts, roleArn) });
        byRole.set(roleArn, ecs);
      }
      return ecs;
    };
    return { ecsFor };
  }),
});
