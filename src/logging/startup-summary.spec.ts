import { loadConfig } from '../config/load-config';
import { logFormatOf } from './logger.module';
import { describeDatabase, startupSummary } from './startup-summary';

const stripeEnv = (secretKey: string) => ({
  PAYMENT_PROVIDER: 'stripe',
  STRIPE_SECRET_KEY: secretKey,
  STRIPE_WEBHOOK_SECRET: 'whsec_startup',
  SUBSCRIPTION_PRICE_ID: 'price_startup',
});

describe(startupSummary.name, () => {
  it('should tell a live key from a test key by its prefix, and never show the key', () => {
    const live = startupSummary(loadConfig(stripeEnv('sk_live_SecretPart123')), '0.0.0.0:3000');
    const test = startupSummary(
      loadConfig({
        ...stripeEnv('rk_test_SecretPart456'),
        STRIPE_TEST_SECRET_KEY: 'sk_test_Other789',
        STRIPE_TEST_WEBHOOK_SECRET: 'whsec_other',
      }),
      '0.0.0.0:3000',
    );

    expect(live.fields.provider).toBe('Stripe (live mode key)');
    expect(test.fields.provider).toBe('Stripe (test mode key, with test-mode credentials)');
    for (const summary of [live, test]) {
      expect(JSON.stringify(summary)).not.toMatch(/SecretPart|Other789/);
    }
  });

  it('should name the sandbox, the default SQLite file and the docs under PUBLIC_URL', () => {
    const { fields, message } = startupSummary(loadConfig({ PORT: '4000' }), '0.0.0.0:4000');

    expect(fields).toEqual({
      url: 'http://localhost:4000',
      listening: '0.0.0.0:4000',
      provider: 'sandbox',
      database: 'SQLite ./data/billing.sqlite',
      docs: 'http://localhost:4000/docs',
    });
    expect(message).toBe(
      'Billing sessions service at http://localhost:4000 (listening on 0.0.0.0:4000); provider: sandbox; ' +
        'database: SQLite ./data/billing.sqlite; API docs: http://localhost:4000/docs',
    );
  });
});

describe(describeDatabase.name, () => {
  it('should give the PostgreSQL host and database, without user or password', () => {
    const text = describeDatabase({
      kind: 'postgres',
      url: 'postgres://billing:hunter2@db.internal:6432/billing_prod?sslmode=require',
      preparedStatements: true,
    });

    expect(text).toBe('PostgreSQL db.internal:6432/billing_prod');
  });

  it('should say when SQLite lives in memory', () => {
    expect(describeDatabase({ kind: 'sqlite', path: ':memory:' })).toBe('SQLite in memory');
  });
});

describe(logFormatOf.name, () => {
  const wasTty = process.stdout.isTTY;
  afterEach(() => {
    process.stdout.isTTY = wasTty;
  });

  it('should be pretty at a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    process.stdout.isTTY = true;
    expect(logFormatOf({})).toBe('pretty');
    expect(logFormatOf({ logFormat: 'json' })).toBe('json');
    process.stdout.isTTY = false;
    expect(logFormatOf({})).toBe('json');
    expect(logFormatOf({ logFormat: 'pretty' })).toBe('pretty');
  });
});
