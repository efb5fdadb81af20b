import { namesSecret } from '../../cli/consumers';

const secret = { arn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf', name: 'hopae/apps/HqTRDIYH' };

describe('namesSecret', () => {
  it.each([
    ['its name', 'hopae/apps/HqTRDIYH'],
    ['its complete ARN', secret.arn],
    ['its ARN without the random suffix', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH'],
    ["ECS's ARN with a JSON key, stage and version", `${secret.arn}:clientSecret:AWSCURRENT:`],
    ["ECS's partial ARN with a JSON key", 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH:clientSecret::'],
  ])('recognises %s', (_what, value) => {
    expect(namesSecret(value, secret)).toBe(true);
  });

  it.each([
    ['a longer name', 'hopae/apps/HqTRDIYH2'],
    ['a secret whose name starts the same', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-old-XyZ123'],
    ['another account', 'arn:aws:secretsmanager:eu-central-1:210987654321:secret:hopae/apps/HqTRDIYH-AbCdEf'],
    ['another Region', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf'],
    ['a URL mentioning it', 'https://example.com/hopae/apps/HqTRDIYH'],
  ])('does not take %s for it', (_what, value) => {
    expect(namesSecret(value, secret)).toBe(false);
  });
});
