import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { CONSUMER_SECRET, EventConsumer } from './support/event-consumer';
import { PaymentProvider } from '../src/payments/payment-provider';
import { parseExposition } from './support/prometheus-text';
import { useStripeApp } from './support/stripe-app';
import {
  APP_ORIGIN,
  createAccount,
  signedEvent,
  startTestApp,
  STRIPE_KEY,
  SUBSCRIPTION_PRICE,
  TestAccount,
  TestApp,
  WEBHOOK_SECRET,
} from './support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const FAST_EVENTS = { EVENT_RETRY_BASE_MS: '20', EVENT_POLL_MS: '50' };

interface SyncReport {
  customers: number;
  subscriptions: number;
  repaired: Array<{
    accountId: string;
    mode: string;
    subscriptionId: string;
    created: boolean;
    fields: string[];
  }>;
  failed: Array<{ accountId: string; mode: string; customerId: string; error: string }>;
  interrupted: boolean;
}

const me = async (sut: TestApp, account: TestAccount) =>
  (await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200)).body;

describe('Reconciliation with Stripe (npm run -s cli -- sync)', () => {
  const consumer = new EventConsumer(CONSUMER_SECRET);
  const { fake, sut } = useStripeApp({
    prices: [{ id: SUBSCRIPTION_PRICE, type: 'recurring' }],
    sharedDatabase: true,
    env: async () => {
      await consumer.start();
      return { EVENT_ENDPOINTS: `${consumer.url}|${CONSUMER_SECRET}`, ...FAST_EVENTS };
    },
  });
  afterAll(() => consumer.stop());

  /** The admin command line in its own process, as an operator runs it, on the service's database. */
  const sync = async (...args: string[]): Promise<{ code: number; report: SyncReport; stderr: string }> => {
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: sut.database.url,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
    };
    let result: { code: number; stdout: string; stderr: string };
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/main.ts', 'sync', ...args],
        { cwd: ROOT, env, timeout: 30_000 },
      );
      result = { code: 0, stdout, stderr };
    } catch (error) {
      result = error as { code: number; stdout: string; stderr: string };
    }
    return { code: result.code, report: JSON.parse(result.stdout || 'null'), stderr: result.stderr };
  };

  /**
   * An account subscribed at Stripe whose created event the service applied (dated ten minutes
   * ago), or, with `told: false`, never received.
   */
  const subscribed = async (options: { told?: boolean } = {}) => {
    const account = await createAccount(sut);
    const started = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(200);
    const { session, subscription } = fake.completeCheckout(started.body.id);
    if (options.told !== false) {
      const event = signedEvent('customer.subscription.created', subscription, {
        created: nowSeconds() - 600,
      });
      await sut
        .http()
        .post('/api/webhooks/stripe')
        .set('content-type', 'application/json')
        .set('stripe-signature', event.signature)
        .send(event.payload)
        .expect(200);
    }
    return { account, subscriptionId: subscription.id, customer: session.customer as string };
  };

  /** What Stripe changed without the service hearing of it (the webhook never came). */
  const changeSilently = (subscriptionId: string, change: { status?: string; quantity?: number }) => {
    const subscription = fake.subscriptions.get(subscriptionId)!;
    if (change.status) Object.assign(subscription, { status: change.status, ended_at: nowSeconds() });
    if (change.quantity)
      (subscription.items as { data: Array<{ quantity: number }> }).data[0].quantity = change.quantity;
  };

  it("should list every subscription of a customer from Stripe, ended ones too, page by page, dated by Stripe's clock", async () => {
    const customer = fake.addCustomer().id;
    const ids = Array.from(
      { length: 120 },
      (_, i) =>
        fake.putSubscription({
          customer,
          status: i === 0 ? 'canceled' : 'active',
          priceId: SUBSCRIPTION_PRICE,
        }).id,
    );
    fake.putSubscription({
      customer: fake.addCustomer().id,
      status: 'active',
      priceId: SUBSCRIPTION_PRICE,
    });
    fake.clockSkewMs = -3_600_000;
    const pagesBefore = fake.received('GET', '/v1/subscriptions').length;
    try {
      const listed = await sut.app.get(PaymentProvider).listSubscriptions('live', customer);
      expect(listed.map((fetched) => fetched.subscription.id).sort()).toEqual([...ids].sort());
      expect(listed.find((fetched) => fetched.subscription.id === ids[0])?.subscription.status).toBe(
        'canceled',
      );
      for (const { asOf } of listed)
        expect(Math.abs(asOf.getTime() - (Date.now() - 3_600_000))).toBeLessThan(5_000);
    } finally {
      fake.clockSkewMs = 0;
    }
    const pages = fake.received('GET', '/v1/subscriptions').slice(pagesBefore);
    expect(pages.map((page) => [page.query.customer, page.query.status, page.query.starting_after])).toEqual([
      [customer, 'all', undefined],
      [customer, 'all', expect.any(String)],
    ]);
  });

  it('should repair missed webhooks, write their outbound events, then find nothing to repair', async () => {
    const ended = await subscribed();
    const grown = await subscribed();
    const unheard = await subscribed({ told: false });
    expect((await me(sut, ended.account)).subscription.status).toBe('trialing');
    expect((await me(sut, unheard.account)).subscription).toBeNull();
    changeSilently(ended.subscriptionId, { status: 'canceled' });
    changeSilently(grown.subscriptionId, { quantity: 4 });

    const first = await sync();
    expect(first.code).toBe(0);
    expect(first.report.failed).toEqual([]);
    const repairs = Object.fromEntries(first.report.repaired.map((repair) => [repair.accountId, repair]));
    expect(repairs[ended.account.accountId]).toEqual({
      accountId: ended.account.accountId,
      mode: 'live',
      subscriptionId: ended.subscriptionId,
      created: false,
      fields: ['status'],
    });
    expect(repairs[grown.account.accountId]).toMatchObject({ created: false, fields: ['quantity'] });
    expect(repairs[unheard.account.accountId]).toMatchObject({
      subscriptionId: unheard.subscriptionId,
      created: true,
      fields: expect.arrayContaining(['status', 'priceId']),
    });

    expect((await me(sut, ended.account)).subscription.status).toBe('canceled');
    expect((await me(sut, grown.account)).subscription.quantity).toBe(4);
    expect((await me(sut, unheard.account)).subscription).toMatchObject({
      id: unheard.subscriptionId,
      status: 'trialing',
    });

    // The repairs' events reach the endpoint, signed, as any change's do.
    await consumer.waitFor((c) =>
      [ended, grown, unheard].every(({ account }) => c.forAccount(account.accountId).length >= 2),
    );
    const typesOf = (account: TestAccount) =>
      consumer.forAccount(account.accountId).map((event) => event.type);
    expect(typesOf(ended.account)).toEqual([
      'subscription.created',
      'access.granted',
      'subscription.canceled',
      'access.revoked',
    ]);
    expect(typesOf(grown.account)).toEqual([
      'subscription.created',
      'access.granted',
      'subscription.updated',
    ]);
    expect(typesOf(unheard.account)).toEqual(['subscription.created', 'access.granted']);

    const second = await sync();
    expect(second.code).toBe(0);
    expect(second.report.repaired).toEqual([]);
    expect(second.report.customers).toBeGreaterThanOrEqual(3);
    expect(second.report.subscriptions).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('should compare only the account --account names, and refuse one that is not an account', async () => {
    const mine = await subscribed();
    const other = await subscribed();
    changeSilently(mine.subscriptionId, { quantity: 2 });
    changeSilently(other.subscriptionId, { quantity: 3 });

    const only = await sync('--account', mine.account.accountId);
    expect(only.code).toBe(0);
    expect(only.report.customers).toBe(1);
    expect(only.report.repaired).toEqual([
      expect.objectContaining({ accountId: mine.account.accountId, fields: ['quantity'] }),
    ]);
    expect((await me(sut, other.account)).subscription.quantity).toBe(1);

    const unknown = await sync('--account', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toEqual({ error: '--account: no such account' });
  }, 60_000);

  it('should report a customer Stripe cannot list, repair the others, and exit with 1', async () => {
    const gone = await subscribed();
    const fine = await subscribed();
    fake.customers.delete(gone.customer);
    changeSilently(gone.subscriptionId, { quantity: 5 });
    changeSilently(fine.subscriptionId, { quantity: 6 });

    const round = await sync();
    expect(round.code).toBe(1);
    expect(round.report.failed).toEqual([
      {
        accountId: gone.account.accountId,
        mode: 'live',
        customerId: gone.customer,
        error: expect.stringContaining('No such customer'),
      },
    ]);
    expect(round.report.repaired).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: fine.account.accountId, fields: ['quantity'] }),
      ]),
    );
    expect((await me(sut, gone.account)).subscription.quantity).toBe(1);
    expect((await me(sut, fine.account)).subscription.quantity).toBe(6);
  }, 60_000);

  it('should not overwrite state from a webhook newer than what it read', async () => {
    const { account, subscriptionId } = await subscribed();
    const newer = { ...fake.subscriptions.get(subscriptionId)! };
    newer.cancel_at_period_end = true;
    // Stripe sent this change, dated after what the round will read, and then its state went back.
    const event = signedEvent('customer.subscription.updated', newer, { created: nowSeconds() + 120 });
    await sut
      .http()
      .post('/api/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', event.signature)
      .send(event.payload)
      .expect(200);
    expect((await me(sut, account)).subscription.cancelAtPeriodEnd).toBe(true);

    const round = await sync('--account', account.accountId);
    expect(round.report.repaired).toEqual([]);
    expect((await me(sut, account)).subscription.cancelAtPeriodEnd).toBe(true);
  }, 60_000);

  it('should refuse a round while another one holds the job', async () => {
    const { account } = await subscribed();
    await sut.db.changes(
      sql`INSERT INTO job_leases (name, holder, lease_until, last_finished_at)
          VALUES ('reconciliation', 'someone-else', ${new Date(Date.now() + 60_000)}, NULL)
          ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until`,
    );
    try {
      const busy = await sync('--account', account.accountId);
      expect(busy.code).toBe(1);
      expect(JSON.parse(busy.stderr).error).toMatch(/reconciliation round is running elsewhere/);
    } finally {
      await sut.db.changes(sql`UPDATE job_leases SET holder = NULL, lease_until = NULL`);
    }
    expect((await sync('--account', account.accountId)).code).toBe(0);
  }, 60_000);
});

describe('Reconciliation with the sandbox (SYNC_INTERVAL_MINUTES)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({
      TRIAL_DAYS: '30',
      SYNC_INTERVAL_MINUTES: '0.01',
      METRICS_TOKEN: 'metrics-token-0123456789',
    });
  });
  afterAll(() => sut.close());

  it('should repair, on its own, a sandbox subscription that changed without its event, and count it in /metrics', async () => {
    const account = await createAccount(sut);
    const started = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(200);
    await sut
      .http()
      .post(`${new URL(started.body.url).pathname}/complete`)
      .expect(303);
    const subscription = (await me(sut, account)).subscription;
    expect(subscription.quantity).toBe(1);

    // The sandbox's own record of the subscription changes, and no event says so.
    const row = await sut.db.first(
      sql<{
        data: string;
      }>`SELECT data FROM sandbox_objects WHERE id = ${subscription.id} AND kind = 'subscription'`,
    );
    const changed = { ...JSON.parse(row!.data), quantity: 7 };
    await sut.db.changes(
      sql`UPDATE sandbox_objects SET data = ${JSON.stringify(changed)} WHERE id = ${subscription.id}`,
    );

    const deadline = Date.now() + 15_000;
    while ((await me(sut, account)).subscription.quantity !== 7 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await me(sut, account)).subscription.quantity).toBe(7);

    const scraped = await sut
      .http()
      .get('/metrics')
      .set('authorization', 'Bearer metrics-token-0123456789')
      .expect(200);
    const repairs = parseExposition(scraped.text).value('billing_reconciliation_repairs_total', {
      mode: 'live',
    });
    expect(repairs).toBeGreaterThanOrEqual(1);
    const lease = await sut.db.first(
      sql<{
        lastFinishedAt: Date | null;
      }>`SELECT last_finished_at FROM job_leases WHERE name = 'reconciliation'`,
    );
    expect(lease?.lastFinishedAt).toBeInstanceOf(Date);
  }, 30_000);
});
