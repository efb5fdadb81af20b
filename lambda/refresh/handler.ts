import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { REFRESH_LOG_MESSAGES } from '../names';
import type { EcsDeployer, ServiceTarget } from './ecs-client';
import { parseRefreshEvent } from './event';

export interface RefreshHandlerDependencies {
  readonly logger: Logger;
  /**
   * Built lazily, so a bad environment fails each run clearly instead of the module load. `ecsFor`
   * gives the ECS client acting as `roleArn` (assumed on first use), or as the function's own role.
   */
  readonly resolve: () => { readonly ecsFor: (roleArn: string | undefined) => EcsDeployer };
}

export interface RefreshSummary {
  readonly secretId: string;
  readonly refreshed: { readonly cluster: string; readonly service: string; readonly deploymentId?: string }[];
}

/**
 * After a rotation succeeded: a new deployment of each ECS service that injects the secret, so new
 * tasks start with the new AWSCURRENT, as the role the rule names (the app stack's refresh role).
 * Every service is tried; if any could not be redeployed (the role could not be assumed included)
 * the run fails (the construct's alarm reports it) with the command that does it by hand.
 */
export function createRefreshHandler(deps: RefreshHandlerDependencies) {
  const run = async (event: unknown): Promise<RefreshSummary> => {
    const { secretId, roleArn, services } = parseRefreshEvent(event);
    deps.logger.appendKeys({ secretId });
    const ecs = deps.resolve().ecsFor(roleArn);
    const outcomes = await Promise.allSettled(services.map((target) => ecs.forceNewDeployment(target)));
    const refreshed: RefreshSummary['refreshed'][number][] = [];
    const failed: { target: ServiceTarget; reason: string }[] = [];
    outcomes.forEach((outcome, i) => {
      const target = services[i]!;
      if (outcome.status === 'fulfilled') {
        refreshed.push({ ...target, ...(outcome.value ? { deploymentId: outcome.value } : {}) });
        deps.logger.info(REFRESH_LOG_MESSAGES.refreshed, { cluster: target.cluster, service: target.service, deploymentId: outcome.value });
      } else {
        const reason = (outcome.reason as Error).message;
        failed.push({ target, reason });
        deps.logger.error(REFRESH_LOG_MESSAGES.failed, { cluster: target.cluster, service: target.service, reason });
      }
    });
    if (failed.length > 0) {
      const commands = failed.map(({ target }) => `aws ecs update-service --cluster ${target.cluster} --service ${target.service} --force-new-deployment`);
      throw new Error(
        `${failed.length} of ${services.length} services still run tasks with the old clientSecret of ${secretId}, which Hopae no longer accepts ` +
          `(${failed.map(({ target, reason }) => `${target.service}: ${reason}`).join('; ')}). Redeploy them now: ${commands.join(' && ')}`,
      );
    }
    return { secretId, refreshed };
  };
  return middy(run).use(injectLambdaContext(deps.logger, { logEvent: false, resetKeys: true }));
}
