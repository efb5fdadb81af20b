import { countLeaks, encodedForms } from '../../local/chaos/leak-scan';
import { HEX_SECRET } from '../support/fake-http';

const pair = { value: HEX_SECRET, clientId: 'HqTRDIYH' };

describe('chaos leak scan', () => {
  it.each([
    ['the exact secret', `{"msg":"x","v":"${HEX_SECRET}"}`],
    ['the Basic credentials', `Authorization: Basic ${Buffer.from(`HqTRDIYH:${HEX_SECRET}`).toString('base64')}`],
    ['the secret in base64', `"dump":"${Buffer.from(HEX_SECRET).toString('base64')}"`],
    ['the secret in base64url', `${Buffer.from(`HqTRDIYH:${HEX_SECRET}`).toString('base64url')}`],
    ['the secret in upper case', HEX_SECRET.toUpperCase()],
    ['the first 16 characters', `secret starts ${HEX_SECRET.slice(0, 16)}...`],
  ])('finds %s', (_name, text) => {
    expect(countLeaks(text, [pair])).toBe(1);
  });

  it('does not count an 8-character fingerprint or unrelated text', () => {
    expect(countLeaks(`{"secretFingerprint":"${HEX_SECRET.slice(0, 8)}","clientId":"HqTRDIYH"}`, [pair])).toBe(0);
  });

  it('counts each leaked secret once, however many forms appear', () => {
    const other = { value: 'b'.repeat(64) };
    const text = `${HEX_SECRET} ${HEX_SECRET.toUpperCase()} ${other.value}`;

    expect(countLeaks(text, [pair, other, { value: 'c'.repeat(64) }])).toBe(2);
  });

  it('takes the prefix of a workspace key from its random part, not its documented "sk_workspace_test_"', () => {
    const key = { value: `sk_workspace_test_${'0123456789abcdef'.repeat(2)}` };

    expect(countLeaks('a sk_workspace_test_ key is used only with the sandbox host', [key])).toBe(0);
    expect(countLeaks('key ...0123456789abcdef...', [key])).toBe(1);
  });

  it('adds no prefix form for a short value such as a token', () => {
    // base64 and base64url agree here, so three forms.
    expect(encodedForms({ value: 'rt-short' })).toEqual(['rt-short', 'cnQtc2hvcnQ', 'RT-SHORT']);
  });
});
