import { InvalidEventError } from '../../lambda/errors';
import { parseRotationEvent } from '../../lambda/event';

const valid = { Step: 'createSecret', SecretId: 'arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf', ClientRequestToken: 'tok-1' };

describe('parseRotationEvent', () => {
  it('reads the four fields', () => {
    expect(parseRotationEvent({ ...valid, RotationToken: 'rt' })).toEqual({
      step: 'createSecret',
      secretId: valid.SecretId,
      token: 'tok-1',
      rotationToken: 'rt',
    });
  });

  it('treats an absent or empty RotationToken as none', () => {
    expect(parseRotationEvent(valid).rotationToken).toBeUndefined();
    expect(parseRotationEvent({ ...valid, RotationToken: '' }).rotationToken).toBeUndefined();
  });

  it.each(['createSecret', 'setSecret', 'testSecret', 'finishSecret'])('accepts %s', (Step) => {
    expect(parseRotationEvent({ ...valid, Step }).step).toBe(Step);
  });

  it.each([
    [{ ...valid, Step: 'deleteSecret' }, /Unknown rotation step "deleteSecret"/],
    [{ ...valid, Step: undefined }, /Unknown rotation step undefined/],
    [{ ...valid, SecretId: '' }, /no SecretId/],
    [{ ...valid, ClientRequestToken: 7 }, /no ClientRequestToken/],
    [{ ...valid, RotationToken: 7 }, /RotationToken that is not a string/],
    [null, /not an object/],
  ])('refuses %j', (event, message) => {
    expect(() => parseRotationEvent(event)).toThrow(InvalidEventError);
    expect(() => parseRotationEvent(event)).toThrow(message);
  });

  it.each([
    ['a non-ASCII character', 'tök-1'],
    ['a newline', 'tok\n1'],
    ['a space', 'tok 1'],
    ['a tab', 'tok\t1'],
    ['256 characters', 'a'.repeat(256)],
  ])('refuses a ClientRequestToken with %s: it could not be sent as Idempotency-Key', (_name, token) => {
    const parse = () => parseRotationEvent({ ...valid, ClientRequestToken: token });

    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(/ClientRequestToken \(\d+ characters\) cannot be sent as Idempotency-Key: it must be printable ASCII without spaces, at most 255 characters/);
  });

  it('accepts a ClientRequestToken of 255 printable ASCII characters, punctuation included', () => {
    const token = '!~'.repeat(127) + 'x';

    expect(parseRotationEvent({ ...valid, ClientRequestToken: token }).token).toBe(token);
  });

  it('never echoes the RotationToken', () => {
    const secretToken = 'rotation-token-that-must-stay-secret';
    expect(() => parseRotationEvent({ Step: 'x', RotationToken: secretToken })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secretToken) }),
    );
  });
});
