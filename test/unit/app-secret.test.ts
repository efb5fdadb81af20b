import { clientSecretProblem, fingerprint, largestNextVersionBytes, looksLikeHopaeSecret, parseAppSecret, withClientSecret } from '../../lambda/app-secret';
import { MalformedSecretError } from '../../lambda/errors';
import { HEX_SECRET } from '../support/fake-http';

describe('parseAppSecret', () => {
  it('reads clientId, clientSecret and keeps the stored text', () => {
    const text = JSON.stringify({ team: 'kyc', clientId: 'HqTRDIYH', clientSecret: HEX_SECRET, n: 1 });
    const parsed = parseAppSecret(text, 'AWSCURRENT');
    expect(parsed.clientId).toBe('HqTRDIYH');
    expect(parsed.clientSecret).toBe(HEX_SECRET);
    expect(parsed.text).toBe(text);
  });

  it.each([
    ['{"clientId":"A","clientId":"B"}', 'clientId'],
    ['{"clientId":"A","clientSecret":"x","client\\u0053ecret":"y"}', 'clientSecret'],
  ])('refuses a repeated clientId or clientSecret (%s): a reader could take either', (value, key) => {
    expect(() => parseAppSecret(value, 'AWSCURRENT of s')).toThrow(new MalformedSecretError(`AWSCURRENT of s has the key "${key}" more than once: applications may read either one; keep only one, then rotate again`));
  });

  it('accepts a secret that only names its app (the first rotation mints the secret)', () => {
    expect(parseAppSecret('{"clientId":"HqTRDIYH"}', 'AWSCURRENT').clientSecret).toBeUndefined();
  });

  it.each([
    [undefined, /AWSCURRENT of s has no SecretString/],
    ['not json', /AWSCURRENT of s is not valid JSON/],
    ['"HqTRDIYH"', /JSON but not an object/],
    ['[]', /JSON but not an object/],
    ['null', /JSON but not an object/],
    ['{}', /has no clientId/],
    ['{"clientId": ""}', /has no clientId/],
    ['{"clientId": "  "}', /has no clientId/],
    ['{"clientId": 12345678}', /has no clientId/],
    ['{"clientId": "."}', /AWSCURRENT of s has a clientId that is "\.", which a URL path resolves instead of sending; store the Hopae app's clientId/],
    ['{"clientId": ".."}', /has a clientId that is "\.\."/],
    ['{"clientId": "Hq TR"}', /has a clientId that contains whitespace or control characters/],
    ['{"clientId": "HqTR\\n"}', /has a clientId that contains whitespace or control characters/],
    ['{"clientId": "HqTR\\u0000"}', /has a clientId that contains whitespace or control characters/],
    [`{"clientId": "${'a'.repeat(256)}"}`, /has a clientId that is longer than 255 characters \(256\)/],
    ['{"clientId": "A", "clientSecret": ""}', /clientSecret that is not a non-empty string/],
    ['{"clientId": "A", "clientSecret": 5}', /clientSecret that is not a non-empty string/],
    ['{"clientId": "A", "clientSecret": null}', /clientSecret that is not a non-empty string/],
  ])('refuses %s with a specific message', (value, message) => {
    expect(() => parseAppSecret(value, 'AWSCURRENT of s')).toThrow(MalformedSecretError);
    expect(() => parseAppSecret(value, 'AWSCURRENT of s')).toThrow(message);
  });

  it('accepts a clientId of 255 characters, and dots inside an id', () => {
    expect(parseAppSecret(`{"clientId": "${'a'.repeat(255)}"}`, 's').clientId).toHaveLength(255);
    expect(parseAppSecret('{"clientId": "legacy.v2..x"}', 's').clientId).toBe('legacy.v2..x');
  });

  it('never puts the value in the message', () => {
    const value = `{"clientId": 1, "clientSecret": "${HEX_SECRET}"`; // broken JSON holding a secret
    expect(() => parseAppSecret(value, 'x')).toThrow(expect.objectContaining({ message: expect.not.stringContaining(HEX_SECRET) }));
  });
});

describe('withClientSecret', () => {
  it('replaces clientSecret in place and carries the other fields unchanged', () => {
    const current = parseAppSecret('{"a":1,"clientId":"X","clientSecret":"old","b":{"c":[1,2]}}', 'c');
    expect(withClientSecret(current, 'new')).toBe('{"a":1,"clientId":"X","clientSecret":"new","b":{"c":[1,2]}}');
  });

  it('adds clientSecret after the last member when the secret had none', () => {
    expect(withClientSecret(parseAppSecret(' {"clientId":"X" ,\n "n": 1.50 }\n', 'c'), 'new')).toBe(' {"clientId":"X" ,\n "n": 1.50,"clientSecret":"new" }\n');
  });

  it('carries a number JavaScript would round exactly (the 20-digit accountNumber)', () => {
    const stored = '{"clientId":"ABCD1234","clientSecret":"old","accountNumber":12345678901234567890}';
    expect(withClientSecret(parseAppSecret(stored, 'c'), HEX_SECRET)).toBe(`{"clientId":"ABCD1234","clientSecret":"${HEX_SECRET}","accountNumber":12345678901234567890}`);
  });
});

describe('looksLikeHopaeSecret and fingerprint', () => {
  it('recognises 64 hex characters only', () => {
    expect(looksLikeHopaeSecret(HEX_SECRET)).toBe(true);
    expect(looksLikeHopaeSecret(HEX_SECRET.slice(1))).toBe(false);
    expect(looksLikeHopaeSecret(`${HEX_SECRET.slice(1)}g`)).toBe(false);
  });

  it('shows 8 hex characters of SHA-256, stable and different per secret', () => {
    expect(fingerprint('abc')).toBe('ba7816bf');
    expect(fingerprint(HEX_SECRET)).toMatch(/^[0-9a-f]{8}$/);
    expect(fingerprint(HEX_SECRET)).not.toBe(fingerprint('abc'));
  });
});

const GARBLED = 'a clientSecret with control, whitespace or invisible characters';

describe('clientSecretProblem', () => {
  it.each([
    ['', 'an empty clientSecret'],
    ['a'.repeat(513), 'a clientSecret longer than 512 characters (513)'],
    ['ab\u0000', GARBLED],
    ['ab\u007f', GARBLED],
    ['a b', GARBLED],
    ['a\u00a0b', GARBLED],
    [`${HEX_SECRET.slice(1)}\u200b`, GARBLED], // zero-width space: invisible format character
    [`\ufeff${HEX_SECRET}`, GARBLED], // byte order mark
    [`${HEX_SECRET}\u2028`, GARBLED], // line separator
    [`ab\u00adcd`, GARBLED], // soft hyphen
    [`ab\ufe0fcd`, GARBLED], // variation selector (default-ignorable)
    [`ab\u3164cd`, GARBLED], // Hangul filler (default-ignorable)
    [`ab\ud800cd`, GARBLED], // lone surrogate: cannot be stored as UTF-8 intact
  ])('%j: %s', (value, problem) => {
    expect(clientSecretProblem(value)).toBe(problem);
  });

  it.each([HEX_SECRET, 'a'.repeat(512), 'p@ss/word+=~!', 'é-unicode', '\u{1F511}emoji'])('accepts %j (stored, with a warning unless 64 hex)', (value) => {
    expect(clientSecretProblem(value)).toBeUndefined();
  });
});

describe('largestNextVersionBytes', () => {
  it('counts the current fields with the longest accepted clientSecret, every character escaped', () => {
    const current = parseAppSecret('{"clientId":"HqTRDIYH","note":"é"}', 's');
    const expected = Buffer.byteLength(JSON.stringify({ clientId: 'HqTRDIYH', note: 'é', clientSecret: '"'.repeat(512) }), 'utf8');

    expect(largestNextVersionBytes(current)).toBe(expected);
    expect(expected).toBe(1077); // bytes, not characters: "é" counts 2
  });
});

describe('fingerprint and looksLikeHopaeSecret', () => {
  it('fingerprints with the first 8 hex characters of SHA-256', () => {
    expect(fingerprint('abc')).toBe('ba7816bf');
  });

  it.each([
    [HEX_SECRET, true],
    [HEX_SECRET.toUpperCase(), true],
    [HEX_SECRET.slice(1), false],
    [`${HEX_SECRET}0`, false],
    [`g${HEX_SECRET.slice(1)}`, false],
  ])('%j looks like a Hopae secret: %s', (value, expected) => {
    expect(looksLikeHopaeSecret(value)).toBe(expected);
  });
});
