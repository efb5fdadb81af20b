import { createLogger } from '../logger';
import { memoize } from '../runtime';
import { SignedEcsClient } from './ecs-client';
import { createRefreshHandler } from './handler';

/** The service refresh's Lambda entry, exported from lambda/index.ts as `refreshHandler` (same bundle as the rotation). */
export const refreshHandler = createRefreshHandler({
  logger: createLogger(),
  resolve: memoize(() => {
    const region = process.env.AWS_REGION;
    if (!region) throw new Error('AWS_REGION is not set (Lambda always sets it; locally, export it)');
    return { ecs: new SignedEcsClient({ region, endpoint: process.env.AWS_ENDPOINT_URL_ECS ?? process.env.AWS_ENDPOINT_URL }) };
  }),
});
