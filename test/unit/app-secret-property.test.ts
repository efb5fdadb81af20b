/**
 * Property: a new version is the stored text with only the clientSecret's value replaced (or added
 * after the last member), whatever else the secret holds; a secret whose clientId or clientSecret
 * is repeated is refused before anything else happens. The oracle renders each generated secret
 * from tokens and knows where its clientSecret sits, independently of the parser under test.
 */
import fc from 'fast-check';
import { parseAppSecret, withClientSecret } from '../../lambda/app-secret';
import { MalformedSecretError } from '../../lambda/errors';

const ws = fc.stringMatching(/^[ \t\n\r]{0,3}$/);

/** A JSON string literal of `value`, each character written plainly or as a \u escape, at random. */
const stringLiteral = (value: fc.Arbitrary<string>) =>
  value.chain((text) =>
    fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((escapes) => {
      let out = '"';
      for (let i = 0; i < text.length; i++) {
        const char = text[i]!;
        const mustEscape = char === '"' || char === '\\' || char.charCodeAt(0) < 0x20;
        out += escapes[i] || mustEscape ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char;
      }
      return `${out}"`;
    }),
  );

/** Numbers JavaScript would round or rewrite: big integers, long decimals, exponents, -0, trailing zeros. */
const numberLiteral = fc.oneof(
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.tuple(fc.integer({ min: -999, max: 999 }), fc.stringMatching(/^[0-9]{1,25}$/)).map(([int, frac]) => `${int}.${frac}`),
  fc.tuple(fc.stringMatching(/^-?[1-9][0-9]{0,20}(\.[0-9]{1,20})?$/), fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 })).map(
    ([mantissa, e, sign, exponent]) => `${mantissa}${e}${sign}${exponent}`,
  ),
  fc.constantFrom('-0', '0.0', '1.10', '1e400', '-1e-400', '0.1000000000000000055511151231257827'),
);

const text = fc.string({ unit: 'binary', maxLength: 8 });

const { value: jsonValue } = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberLiteral,
    stringLiteral(text),
    fc.constantFrom('true', 'false', 'null'),
    fc.tuple(ws, fc.array(fc.tuple(tie('value'), ws), { maxLength: 3 })).map(([lead, items]) => `[${lead}${items.map(([v, w]) => `${v}${w}`).join(',')}]`),
    fc
      .array(fc.tuple(ws, stringLiteral(fc.constantFrom('clientId', 'clientSecret', 'a', 'b')), ws, ws, tie('value'), ws), { maxLength: 3 })
      .map((members) => `{${members.map(([w1, k, w2, w3, v, w4]) => `${w1}${k}${w2}:${w3}${v}${w4}`).join(',')}}`),
  ),
}));

interface Member {
  readonly key: string;
  readonly keyLiteral: string;
  readonly value: string;
  readonly before: string;
  readonly afterKey: string;
  readonly afterColon: string;
  readonly after: string;
}

const member = (key: fc.Arbitrary<string>, value: fc.Arbitrary<string>) =>
  fc.record({ key, before: ws, afterKey: ws, afterColon: ws, after: ws, value }).chain((m) => stringLiteral(fc.constant(m.key)).map((keyLiteral) => ({ ...m, keyLiteral }) as Member));

const clientId = fc.stringMatching(/^[A-Za-z0-9]{8}$/);
const storedSecret = fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }));

/** An app secret as tokens: other members (keys may repeat), one clientId, maybe a clientSecret, in any order. */
const appSecret = fc
  .record({
    others: fc.array(member(fc.oneof(fc.constantFrom('accountNumber', 'team', 'a', 'client_secret', 'ClientSecret'), text), jsonValue), { maxLength: 5 }),
    id: member(fc.constant('clientId'), clientId.map((id) => JSON.stringify(id))),
    secret: fc.option(member(fc.constant('clientSecret'), storedSecret.map((s) => JSON.stringify(s))), { nil: undefined }),
    lead: ws,
    trail: ws,
    inner: ws,
  })
  .filter(({ others }) => others.every((m) => m.key !== 'clientId' && m.key !== 'clientSecret'))
  .chain((parts) =>
    fc.shuffledSubarray([...parts.others, parts.id, ...(parts.secret ? [parts.secret] : [])], { minLength: parts.others.length + 1 + (parts.secret ? 1 : 0) }).map((members) => ({ ...parts, members })),
  );

function render(lead: string, members: readonly Member[], trail: string, replaceSecret?: string): string {
  const body = members.map((m) => `${m.before}${m.keyLiteral}${m.afterKey}:${m.afterColon}${m.key === 'clientSecret' && replaceSecret !== undefined ? replaceSecret : m.value}${m.after}`);
  return `${lead}{${body.join(',')}}${trail}`;
}

const NEW_SECRET = 'c0ffee'.repeat(10) + 'beef';

describe('withClientSecret over generated secrets', () => {
  it('changes nothing but the clientSecret: every other byte of the stored text is carried exactly', () => {
    fc.assert(
      fc.property(appSecret, ({ lead, members, trail }) => {
        const stored = render(lead, members, trail);
        const next = withClientSecret(parseAppSecret(stored, 'AWSCURRENT'), NEW_SECRET);

        const hadSecret = members.some((m) => m.key === 'clientSecret');
        const expected = hadSecret
          ? render(lead, members, trail, JSON.stringify(NEW_SECRET))
          : (() => {
              // Added right after the last member's value, before its trailing whitespace.
              const last = members[members.length - 1]!;
              const withAdded = [...members.slice(0, -1), { ...last, value: `${last.value},"clientSecret":${JSON.stringify(NEW_SECRET)}` }];
              return render(lead, withAdded, trail);
            })();
        expect(next).toBe(expected);
        expect((JSON.parse(next) as { clientSecret: string }).clientSecret).toBe(NEW_SECRET);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses, before anything else, a secret whose clientId or clientSecret appears twice', () => {
    fc.assert(
      fc.property(appSecret, fc.constantFrom('clientId', 'clientSecret'), clientId, ({ lead, members, trail }, key, id) => {
        const duplicate: Member = { key, keyLiteral: key === 'clientId' ? '"client\\u0049d"' : '"clientSecret"', value: JSON.stringify(id), before: '', afterKey: '', afterColon: '', after: '' };
        const twice = [...members, duplicate];
        if (twice.filter((m) => m.key === key).length < 2) twice.push(duplicate);
        expect(() => parseAppSecret(render(lead, twice, trail), 'AWSCURRENT')).toThrow(MalformedSecretError);
      }),
      { numRuns: 200 },
    );
  });
});
