import { ConfigValidationError, loadConfig } from './load-config';

describe(loadConfig.name, () => {
  it('should run with nothing set: embedded SQLite, the sandbox provider, the README’s defaults', () => {
    const sut = loadConfig({});

    expect(sut.port).toBe(3000);
    expect(sut.database).toEqual({ kind: 'sqlite', path: './data/billing.sqlite' });
    expect(sut.provider).toBe('sandbox');
    expect(sut.trialDays).toBe(30);
    expect(sut.allowedPriceIds).toBeNull();
    expect(sut.allowedRedirectOrigins.map((rule) => rule.text)).toEqual(['http://localhost:*']);
    expect(sut.jwt).toBeNull();
    expect(sut.rateLimitPerMinute).toBe(600);
    expect(sut.redisUrl).toBeUndefined();
  });

  it('should choose Stripe when a secret key is set', () => {
    const sut = loadConfig({
      STRIPE_SECRET_KEY: 'sk_test_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      SUBSCRIPTION_PRICE_ID: 'price_abc',
      DATABASE_URL: 'postgres://user@db:5432/billing',
    });

    expect(sut.provider).toBe('stripe');
    expect(sut.stripe.credentials.live).toEqual({ secretKey: 'sk_test_abc', webhookSecret: 'whsec_abc' });
    expect(sut.stripe.credentials.test).toBeUndefined();
    expect(sut.database).toEqual({
      kind: 'postgres',
      url: 'postgres://user@db:5432/billing',
      preparedStatements: true,
    });
  });

  it('should turn named prepared statements off with DATABASE_PREPARED_STATEMENTS=false, and refuse other values', () => {
    const url = 'postgres://user@db:5432/billing';
    expect(loadConfig({ DATABASE_URL: url, DATABASE_PREPARED_STATEMENTS: 'false' }).database).toEqual({
      kind: 'postgres',
      url,
      preparedStatements: false,
    });
    expect(() => loadConfig({ DATABASE_URL: url, DATABASE_PREPARED_STATEMENTS: 'off' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS must be true or false/,
    );
  });

  it('should report every bad variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        PAYMENT_PROVIDER: 'stripe',
        TRIAL_DAYS: '-1',
        ALLOWED_REDIRECT_ORIGINS: 'https://ok.example.com,not an origin',
        JWT_SECRET: 'short',
        RATE_LIMIT_PER_MINUTE: '0',
        REDIS_URL: 'http://redis',
        STRIPE_API_URL: 'ftp://stripe',
        LOG_FORMAT: 'yaml',
        METRICS_TOKEN: 'too-short',
      });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.join('\n');
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'SUBSCRIPTION_PRICE_ID',
      'TRIAL_DAYS',
      'LOG_FORMAT',
      'ALLOWED_REDIRECT_ORIGINS',
      'JWT_SECRET',
      'RATE_LIMIT_PER_MINUTE',
      'REDIS_URL',
      'STRIPE_API_URL',
      'METRICS_TOKEN',
    ]) {
      expect(problems).toContain(name);
    }
    expect((error as Error).message.split('\n')).toHaveLength(14);
  });

  it('should take a METRICS_TOKEN of 16 printable characters or more, and refuse one with spaces', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'p'.repeat(16) }).metricsToken).toBe('p'.repeat(16));
    expect(() => loadConfig({ METRICS_TOKEN: 'p'.repeat(15) })).toThrow(/METRICS_TOKEN must be/);
    expect(() => loadConfig({ METRICS_TOKEN: 'two words of a long token' })).toThrow(/METRICS_TOKEN must be/);
    // The message goes to the start's output: it never repeats the token.
    expect(() => loadConfig({ METRICS_TOKEN: 'short-secret' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('short-secret') }),
    );
  });

  it('should run reconciliation every SYNC_INTERVAL_MINUTES (fractions too), off when unset or 0', () => {
    const interval = (value?: string) => loadConfig({ SYNC_INTERVAL_MINUTES: value }).sync.intervalMs;
    expect(interval()).toBeNull();
    expect(interval('0')).toBeNull();
    expect(interval('15')).toBe(15 * 60_000);
    expect(interval('0.5')).toBe(30_000);
    for (const bad of ['-1', 'often', '1e3', '0.001', '10081', '5m'])
      expect(() => interval(bad)).toThrow(
        /SYNC_INTERVAL_MINUTES must be 0 \(off\) or minutes from 0.01 to 10080/,
      );
  });

  it('should refuse a key that is not a Stripe secret key, and a half-configured test mode', () => {
    expect(() =>
      loadConfig({
        STRIPE_SECRET_KEY: 'pk_test_abc',
        STRIPE_WEBHOOK_SECRET: 'whsec_a',
        SUBSCRIPTION_PRICE_ID: 'p',
      }),
    ).toThrow(/STRIPE_SECRET_KEY must look like/);
    expect(() => loadConfig({ STRIPE_TEST_SECRET_KEY: 'sk_test_abc' })).toThrow(
      /STRIPE_TEST_WEBHOOK_SECRET is required/,
    );
  });

  it('should configure JWT from a secret (HS256) or a JWKS (RS256/ES256), never both', () => {
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32), JWT_ISSUER: 'https://issuer' }).jwt).toMatchObject({
      algorithms: ['HS256'],
      issuer: 'https://issuer',
    });
    expect(loadConfig({ JWT_JWKS_URI: 'https://issuer/.well-known/jwks.json' }).jwt!.algorithms).toEqual([
      'RS256',
      'ES256',
    ]);
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), JWT_JWKS_URI: 'https://issuer/jwks' })).toThrow(
      /either JWT_SECRET or JWT_JWKS_URI/,
    );
  });

  it('should allow JWTs a lifetime of 24 hours unless JWT_MAX_LIFETIME says otherwise', () => {
    const jwt = { JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig(jwt).jwt!.maxLifetimeSeconds).toBe(86_400);
    for (const [text, seconds] of [
      ['90s', 90],
      ['30m', 1_800],
      ['24h', 86_400],
      ['7d', 604_800],
      ['3600', 3_600],
      [' 2h ', 7_200],
    ] as const) {
      expect(loadConfig({ ...jwt, JWT_MAX_LIFETIME: text }).jwt!.maxLifetimeSeconds).toBe(seconds);
    }
    expect(
      loadConfig({ JWT_JWKS_URI: 'https://issuer/jwks', JWT_MAX_LIFETIME: '1h' }).jwt!.maxLifetimeSeconds,
    ).toBe(3_600);
  });

  it.each(['0', '0s', '-5m', '1.5h', '24 hours', '1w', 'h', '400d', '99999999999'])(
    'should refuse a JWT_MAX_LIFETIME of %p, among the other bad variables',
    (text) => {
      let error: unknown;
      try {
        loadConfig({ JWT_SECRET: 'x'.repeat(32), JWT_MAX_LIFETIME: text, PORT: 'eighty' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigValidationError);
      const problems = (error as ConfigValidationError).problems;
      expect(problems).toHaveLength(2);
      expect(problems.find((problem) => problem.startsWith('JWT_MAX_LIFETIME'))).toContain(`"${text}"`);
    },
  );

  it('should read comma lists without blanks', () => {
    const sut = loadConfig({
      ALLOWED_PRICE_IDS: 'price_a, price_b,,',
      CORS_ORIGINS: 'https://a.example.com',
    });

    expect([...sut.allowedPriceIds!]).toEqual(['price_a', 'price_b']);
    expect(sut.corsOrigins).toEqual(['https://a.example.com']);
  });
});
