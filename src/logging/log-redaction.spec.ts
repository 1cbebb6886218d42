import fc from 'fast-check';
import { generateApiKey } from '../auth/api-key-secret';
import { containsSecret, REDACTED, redactQuery, redactSecrets } from './log-redaction';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhdXRoMHx1c2VyLTEiLCJleHAiOjE3OTUyNDAwMDB9.' +
  'Zm9yZ2VkLXNpZ25hdHVyZS1mb3ItdGhlLXRlc3Q';

describe('redactSecrets', () => {
  it.each<[string, string]>([
    ['an API key of this service', generateApiKey().apiKey],
    ['a malformed API key', 'bsk_not-quite-a-key'],
    ['a JWT', JWT],
    ['a JWT without a signature (alg none)', `${JWT.split('.').slice(0, 2).join('.')}.`],
    ['a Stripe live secret key', 'sk_live_51HabcDEF123ghi'],
    ['a Stripe test secret key', 'sk_test_51HabcDEF123ghi'],
    ['a Stripe restricted key', 'rk_live_51HabcDEF123ghi'],
    ['a webhook signing secret', 'whsec_abc+def/ghi='],
    ['a percent-encoded webhook signing secret', 'whsec_abc%2Bdef%2Fghi%3D'],
  ])('should replace %s wherever it stands', (_label, secret) => {
    for (const text of [secret, `key=${secret}`, `"url":"/api/${secret}/me"`, `(${secret}).`]) {
      const redacted = redactSecrets(text);
      expect(redacted).not.toContain(secret.slice(6));
      expect(redacted).toContain(REDACTED);
      expect(containsSecret(text)).toBe(true);
    }
  });

  it('should keep what surrounds a secret', () => {
    expect(redactSecrets('{"url":"/api/keys/sk_test_abc123?x=1","msg":"done"}')).toBe(
      '{"url":"/api/keys/[redacted]?x=1","msg":"done"}',
    );
  });

  it('should replace the id of a sandbox page and keep the rest of the path', () => {
    expect(redactSecrets('"url":"/sandbox/checkout/cs_sbx_0123456789abcdef01234567/complete"')).toBe(
      '"url":"/sandbox/checkout/[redacted]/complete"',
    );
    expect(
      redactSecrets('"url":"/sandbox/portal/bps_sbx_0123456789abcdef01234567/subscriptions/sub_1/cancel"'),
    ).toBe('"url":"/sandbox/portal/[redacted]/subscriptions/sub_1/cancel"');
  });

  it.each([
    'request completed',
    'task_live_update network_test desk_sk_',
    '/api/subscriptions/me?testMode=[redacted]',
    'evt_sbx_0123456789abcdef cs_sbx_0123 sub_sbx_0123',
  ])('should leave text without a secret as it is: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
    expect(containsSecret(text)).toBe(false);
  });

  it('should keep a JSON log line JSON, whatever the line holds', () => {
    const fragment = fc.oneof(
      fc.string(),
      fc.constantFrom('bsk_', 'eyJ', '.', 'sk_live_', 'rk_', 'whsec_', '/sandbox/checkout/', '"', '\\', '%'),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 12 }), (parts) => {
        const line = JSON.stringify({ msg: parts.join(''), req: { url: parts.join('/') } });
        expect(() => JSON.parse(redactSecrets(line)) as unknown).not.toThrow();
      }),
    );
  });
});

describe('redactQuery', () => {
  it('should replace every value and keep every name', () => {
    expect(redactQuery('/api/subscriptions/me?apiKey=bsk_x&testMode=true&access_token=eyJ.a.b')).toBe(
      '/api/subscriptions/me?apiKey=[redacted]&testMode=[redacted]&access_token=[redacted]',
    );
  });

  it('should keep a parameter without a value, and empty values redacted', () => {
    expect(redactQuery('/me?flag&token=')).toBe('/me?flag&token=[redacted]');
  });

  it('should keep a target without a query as it is', () => {
    expect(redactQuery('/api/subscriptions/me')).toBe('/api/subscriptions/me');
    expect(redactQuery('/api/subscriptions/me?')).toBe('/api/subscriptions/me?');
  });

  it('should take the first = as the end of the name', () => {
    expect(redactQuery('/me?key=a=b==')).toBe('/me?key=[redacted]');
  });
});
