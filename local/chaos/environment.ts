/**
 * The handler's settings for the campaign: the same code with short timeouts and waits, so a
 * schedule with many faults takes seconds, not minutes.
 */
export const CHAOS_ENVIRONMENT: Record<string, string> = {
  HOPAE_REQUEST_TIMEOUT_MS: '400',
  HOPAE_RETRY_BASE_DELAY_MS: '5',
  HOPAE_RETRY_MAX_DELAY_MS: '40',
  HOPAE_ROTATE_MAX_ATTEMPTS: '6',
  HOPAE_VERIFY_MAX_ATTEMPTS: '3',
  ROTATION_STORE_RESERVE_MS: '400',
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
};
