/**
 * For applications that call Hopae with credentials this project rotates: keeps them working
 * through Hopae's instant invalidation of the old clientSecret.
 *
 *   const credentials = new HopaeCredentialsProvider({ secretId: 'hopae/apps/HqTRDIYH' });
 *   const hopaeFetch = createHopaeFetch(credentials);
 *   const response = await hopaeFetch('https://api.hopae.com/connect/v1/providers');
 */
export { DEFAULT_MAX_REFRESH_WAIT_MS, DEFAULT_TTL_MS, HopaeCredentialsProvider } from './credentials-provider';
export type { HopaeCredentials, HopaeCredentialsProviderOptions } from './credentials-provider';
export { basicAuthorization, callHopae, createHopaeFetch } from './call-hopae';
export type { CallHopaeOptions, CallOutcome } from './call-hopae';
export { isCurrentLabelUpdate } from './label-updated';
export type { SecretLabelUpdatedEvent } from './label-updated';
