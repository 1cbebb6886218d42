import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config';
import { openDatabase, OpenDatabase } from '../../src/database/open-database';
import { JobLeasesRepository } from '../../src/reconciliation/job-leases.repository';
import { createTestDatabase, TestDatabase, withClient } from '../support/database';
import { FakeStripe } from '../support/fake-stripe';
import { ServiceProcess, startServiceProcess } from '../support/service-process';
import { APP_ORIGIN, STRIPE_KEY, SUBSCRIPTION_PRICE, WEBHOOK_SECRET } from '../support/test-app';
import { CliAccount, createAccountWithCli } from './admin-cli';
import { call, stopProcess } from './http-client';

const LISTING = 'GET /v1/subscriptions';

/**
 * The periodic reconciliation round with two instances, each its own process, on one PostgreSQL
 * schema: the round runs on one instance at a time, and what it repairs is repaired once.
 */
describe('Reconciliation from two instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  const fake = new FakeStripe();
  const instances: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    expect(database.kind).toBe('postgres');
    await fake.start();
    fake.addPrice({ id: SUBSCRIPTION_PRICE, type: 'recurring' });
  }, 30_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((instance) => stopProcess(instance)));
    await fake.stop();
    await database?.drop();
  }, 30_000);

  /** An account with a Stripe customer whose subscription's every webhook was lost. */
  const unheardSubscriber = async (n: number): Promise<{ account: CliAccount; subscriptionId: string }> => {
    const account = await createAccountWithCli(database.url, `Unheard ${n}`);
    const customer = fake.addCustomer({ metadata: { accountId: account.accountId } });
    await withClient(database.url, (client) =>
      client.query(
        `INSERT INTO customers (id, account_id, provider, mode, provider_customer_id, lease_until, created_at)
         VALUES ($1, $2, 'stripe', 'live', $3, NULL, now())`,
        [randomUUID(), account.accountId, customer.id],
      ),
    );
    const subscription = fake.putSubscription({
      customer: customer.id,
      status: 'active',
      priceId: SUBSCRIPTION_PRICE,
      metadata: { accountId: account.accountId },
    });
    return { account, subscriptionId: subscription.id };
  };

  it('should run each round on one instance at a time and repair each missed webhook once', async () => {
    const subscribers = await Promise.all([1, 2, 3].map(unheardSubscriber));
    // Each listing takes a while, so that rounds on two instances at once would overlap at Stripe.
    fake.delayMs = 150;
    const env = {
      DATABASE_URL: database.url,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
      ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN,
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '3000',
      SYNC_INTERVAL_MINUTES: '0.01',
    };
    instances.push(...(await Promise.all([startServiceProcess(env), startServiceProcess(env)])));

    const statusOf = async ({ account }: { account: CliAccount }, instance: ServiceProcess) =>
      (await call(instance, 'GET', '/api/subscriptions/me', { apiKey: account.apiKey })).body.subscription
        ?.status;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const statuses = await Promise.all(
        subscribers.map((subscriber, i) => statusOf(subscriber, instances[i % 2])),
      );
      if (statuses.every((status) => status === 'active')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const [i, subscriber] of subscribers.entries())
      expect(await statusOf(subscriber, instances[i % 2])).toBe('active');

    // A few more rounds, every 0.6 s between the two instances.
    const listed = () => fake.received('GET', '/v1/subscriptions').length;
    const before = listed();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(listed() - before).toBeGreaterThanOrEqual(2 * subscribers.length);
    expect(fake.peakInFlight.get(LISTING)).toBe(1);

    const events = await withClient(database.url, (client) =>
      client.query<{ type: string; n: string }>(
        `SELECT type, COUNT(*) AS n FROM outbound_events GROUP BY type ORDER BY type`,
      ),
    );
    expect(events.rows).toEqual([
      { type: 'access.granted', n: String(subscribers.length) },
      { type: 'subscription.created', n: String(subscribers.length) },
    ]);
  }, 90_000);

  it('should give the job to exactly one of several asking at once', async () => {
    const opened: OpenDatabase[] = await Promise.all(
      [1, 2, 3].map(() => openDatabase(loadConfig({ DATABASE_URL: database.url }).database)),
    );
    try {
      const leases = opened.map((open) => new JobLeasesRepository(open.database));
      for (let round = 0; round < 20; round++) {
        const job = `race-${round}`;
        const holders = leases.map(() => randomUUID());
        const now = new Date();
        const taken = await Promise.all(
          leases.map((lease, i) => lease.take(job, holders[i], new Date(now.getTime() + 60_000), { now })),
        );
        expect(taken.filter(Boolean)).toHaveLength(1);
        const winner = taken.indexOf(true);
        await leases[winner].release(job, holders[winner], new Date());
        // Released and finished just now: due again only for someone who asks for no interval.
        const later = new Date();
        const again = await Promise.all(
          leases.map((lease, i) =>
            lease.take(job, holders[i], new Date(later.getTime() + 60_000), {
              now: later,
              finishedBefore: new Date(later.getTime() - 60_000),
            }),
          ),
        );
        expect(again.filter(Boolean)).toHaveLength(0);
      }
    } finally {
      await Promise.all(opened.map((open) => open.close()));
    }
  }, 60_000);
});
