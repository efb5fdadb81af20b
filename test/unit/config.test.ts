import { checkHopaeBudget, DEFAULT_RETRY, DEFAULT_STORE_RESERVE_MS, loadConfig, MIN_HOPAE_BUDGET_MS, parseApiBaseUrl } from '../../lambda/config';
import { ConfigurationError } from '../../lambda/errors';

describe('parseApiBaseUrl', () => {
  it.each([
    ['https://sandbox.api.hopae.com/connect/v1', 'https://sandbox.api.hopae.com/connect/v1'],
    ['https://api.hopae.com/connect/v1/', 'https://api.hopae.com/connect/v1'],
    ['  https://api.hopae.com/connect/v1//  ', 'https://api.hopae.com/connect/v1'],
    ['http://127.0.0.1:8080/connect/v1', 'http://127.0.0.1:8080/connect/v1'],
    ['http://localhost:9/connect/v1', 'http://localhost:9/connect/v1'],
    ['http://[::1]:9/connect/v1', 'http://[::1]:9/connect/v1'],
  ])('accepts %s', (raw, expected) => {
    expect(parseApiBaseUrl(raw)).toBe(expected);
  });

  it.each([
    ['http://api.hopae.com/connect/v1', /must use https.*host api.hopae.com/],
    ['http://127.0.0.2/connect/v1', /must use https.*127.0.0.2/],
    ['http://localhost.evil.com/connect/v1', /must use https/],
    ['ftp://api.hopae.com/connect/v1', /must use https; got scheme ftp:/],
    ['api.hopae.com/connect/v1', /not a valid URL/],
    ['https://user:pw@api.hopae.com/connect/v1', /must not contain credentials/],
    ['https://user@api.hopae.com/connect/v1', /must not contain credentials/],
    ['https://:pw@api.hopae.com/connect/v1', /must not contain credentials/],
    ['https://api.hopae.com/connect/v1?x=1', /query or fragment/],
  ])('refuses %s', (raw, message) => {
    expect(() => parseApiBaseUrl(raw)).toThrow(ConfigurationError);
    expect(() => parseApiBaseUrl(raw)).toThrow(message);
  });
});

describe('loadConfig', () => {
  const base = { HOPAE_API_BASE_URL: 'https://sandbox.api.hopae.com/connect/v1', HOPAE_API_KEY_SECRET_ID: 'hopae/key' };

  it('uses safe defaults for every knob', () => {
    expect(loadConfig(base)).toEqual({
      hopaeApiBaseUrl: 'https://sandbox.api.hopae.com/connect/v1',
      workspaceKeySecretId: 'hopae/key',
      retry: DEFAULT_RETRY,
      storeReserveMs: DEFAULT_STORE_RESERVE_MS,
    });
  });

  it('reads the overrides', () => {
    const config = loadConfig({
      ...base,
      HOPAE_REQUEST_TIMEOUT_MS: '1000',
      HOPAE_ROTATE_MAX_ATTEMPTS: '3',
      HOPAE_VERIFY_MAX_ATTEMPTS: '2',
      HOPAE_RETRY_BASE_DELAY_MS: '10',
      HOPAE_RETRY_MAX_DELAY_MS: '20',
      ROTATION_STORE_RESERVE_MS: '2500',
    });
    expect(config.retry).toEqual({ requestTimeoutMs: 1000, rotateMaxAttempts: 3, verifyMaxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 });
    expect(config.storeReserveMs).toBe(2500);
  });

  it.each(['HOPAE_API_BASE_URL', 'HOPAE_API_KEY_SECRET_ID'])('names a missing %s', (name) => {
    expect(() => loadConfig({ ...base, [name]: ' ' })).toThrow(`${name} is not set`);
  });

  it.each(['', '   '])('takes an empty HOPAE_ROTATE_MAX_ATTEMPTS (%j) as unset: the default', (value) => {
    expect(loadConfig({ ...base, HOPAE_ROTATE_MAX_ATTEMPTS: value }).retry.rotateMaxAttempts).toBe(DEFAULT_RETRY.rotateMaxAttempts);
  });

  it('reads 1, the smallest value, and ignores surrounding spaces', () => {
    expect(loadConfig({ ...base, HOPAE_ROTATE_MAX_ATTEMPTS: '1', HOPAE_VERIFY_MAX_ATTEMPTS: ' 3 ' }).retry).toMatchObject({ rotateMaxAttempts: 1, verifyMaxAttempts: 3 });
  });

  it.each(['0', '-1', '1.5', 'ten'])('refuses HOPAE_ROTATE_MAX_ATTEMPTS=%s', (value) => {
    expect(() => loadConfig({ ...base, HOPAE_ROTATE_MAX_ATTEMPTS: value })).toThrow(
      /HOPAE_ROTATE_MAX_ATTEMPTS must be a positive whole number/,
    );
  });
});

describe('checkHopaeBudget', () => {
  it('refuses a store reserve that leaves Hopae less than the minimum, naming both numbers and the fix', () => {
    const check = () => checkHopaeBudget(4_000, 5_000);

    expect(check).toThrow(ConfigurationError);
    expect(check).toThrow(
      "ROTATION_STORE_RESERVE_MS (5000 ms) leaves 0 ms of this invocation's 4000 ms to call Hopae; at least 1000 ms are needed. Nothing was sent to Hopae. Lower ROTATION_STORE_RESERVE_MS or raise the function's timeout.",
    );
  });

  it('names what is left when some, but too little, remains', () => {
    expect(() => checkHopaeBudget(5_999, 5_000)).toThrow(/leaves 999 ms of this invocation's 5999 ms/);
  });

  it('accepts a budget of exactly the minimum', () => {
    expect(() => checkHopaeBudget(DEFAULT_STORE_RESERVE_MS + MIN_HOPAE_BUDGET_MS, DEFAULT_STORE_RESERVE_MS)).not.toThrow();
  });
});
