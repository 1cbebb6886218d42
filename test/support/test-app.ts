import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { AdminService } from '../../src/accounts/admin.service';
import { createApp } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { Database } from '../../src/database/database';
import { createTestDatabase, TestDatabase } from './database';
import { FakeStripe } from './fake-stripe';

export const WEBHOOK_SECRET = 'whsec_test_secret_for_e2e';
export const TEST_MODE_WEBHOOK_SECRET = 'whsec_test_mode_secret_for_e2e';
export const STRIPE_KEY = 'sk_test_e2elivekey';
export const STRIPE_TEST_KEY = 'sk_test_e2etestmodekey';
export const SUBSCRIPTION_PRICE = 'price_subscription_monthly';
export const APP_ORIGIN = 'https://app.example.com';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  database: TestDatabase;
  http: () => ReturnType<typeof request>;
  admin: AdminService;
  db: Database;
  close(): Promise<void>;
}

/** The real application, as `npm start` builds it, on a database of its own. */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  options: { database?: TestDatabase } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const ownsDatabase = options.database === undefined;
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    ALLOWED_REDIRECT_ORIGINS: `${APP_ORIGIN},http://localhost:*`,
    RATE_LIMIT_PER_MINUTE: '100000',
    ...env,
  });
  const app = await createApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    database,
    http: () => request(app.getHttpServer()),
    admin: app.get(AdminService),
    db: app.get(Database),
    async close() {
      await app.close();
      if (ownsDatabase) await database.drop();
    },
  };
}

/** The service with the Stripe provider, pointed at a fake Stripe. */
export async function startStripeApp(
  fake: FakeStripe,
  env: Record<string, string | undefined> = {},
  options: { database?: TestDatabase } = {},
): Promise<TestApp> {
  return startTestApp(
    {
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
      STRIPE_TIMEOUT_MS: '2000',
      ...env,
    },
    options,
  );
}

export interface TestAccount {
  accountId: string;
  apiKey: string;
  apiKeyId: string;
}

export async function createAccount(
  testApp: TestApp,
  options: { name?: string; externalId?: string; platformAdmin?: boolean; scopes?: string[] } = {},
): Promise<TestAccount> {
  const { accountId } = await testApp.admin.createAccount({
    name: options.name ?? 'Test account',
    email: 'owner@example.com',
    externalId: options.externalId,
    platformAdmin: options.platformAdmin,
  });
  const key = await testApp.admin.createApiKey({ accountId, scopes: options.scopes });
  return { accountId, apiKey: key.apiKey, apiKeyId: key.apiKeyId };
}

/** A well-formed API key that no account has. */
export const inventedApiKey = () =>
  `bsk_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}`;

const signer = new Stripe('sk_test_signer_only');

/** A webhook delivery as Stripe makes it: a JSON event and its Stripe-Signature header. */
export function signedEvent(
  type: string,
  object: Record<string, unknown>,
  options: { id?: string; created?: number; secret?: string; timestamp?: number } = {},
): { payload: string; signature: string; id: string } {
  const id = options.id ?? `evt_${Math.random().toString(36).slice(2)}${Date.now()}`;
  const payload = JSON.stringify({
    id,
    object: 'event',
    type,
    api_version: '2026-10-28.endive',
    created: options.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  });
  const signature = signer.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    timestamp: options.timestamp,
  });
  return { payload, signature, id };
}
