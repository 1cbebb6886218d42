import { createTestDatabase, TestDatabase, withClient } from '../support/database';
import { CONSUMER_SECRET, EventConsumer } from '../support/event-consumer';
import { ServiceProcess, startServiceProcess } from '../support/service-process';
import { APP_ORIGIN } from '../support/test-app';
import { createAccountWithCli } from './admin-cli';
import { setCancelAtPeriodEnd, stopProcess, subscribeInSandbox } from './http-client';

/**
 * Outbound events with two instances, each its own process, on one PostgreSQL schema: every
 * event reaches the consumer once, in order per account, whichever instance wrote or sent it;
 * an instance killed (-9) in the middle of a delivery leaves it to the other once its lease ends.
 */
describe('Outbound events from two instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let consumer: EventConsumer;
  let env: Record<string, string>;
  const instances: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    expect(database.kind).toBe('postgres');
    consumer = await new EventConsumer(CONSUMER_SECRET).start();
    env = {
      DATABASE_URL: database.url,
      PAYMENT_PROVIDER: 'sandbox',
      TRIAL_DAYS: '30',
      ALLOWED_REDIRECT_ORIGINS: `${APP_ORIGIN},http://localhost:*`,
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '3000',
      EVENT_ENDPOINTS: `${consumer.url}|${CONSUMER_SECRET}`,
      EVENT_RETRY_BASE_MS: '50',
      EVENT_POLL_MS: '100',
      EVENT_DELIVERY_TIMEOUT_MS: '1000',
    };
    instances.push(await startServiceProcess(env));
    instances.push(await startServiceProcess(env));
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((instance) => stopProcess(instance)));
    await consumer?.stop();
    await database?.drop();
  }, 30_000);

  it('should deliver every event once and in order per account, written and sent by either instance', async () => {
    const accounts = await Promise.all(
      [1, 2, 3, 4].map((n) => createAccountWithCli(database.url, `Events ${n}`)),
    );
    const toggles = 5;
    // Each account's changes alternate between the instances; the accounts run side by side.
    await Promise.all(
      accounts.map(async (account, a) => {
        await subscribeInSandbox(instances[a % 2], account);
        for (let i = 0; i < toggles; i++) {
          await setCancelAtPeriodEnd(instances[(a + i) % 2], account, true);
          await setCancelAtPeriodEnd(instances[(a + i + 1) % 2], account, false);
        }
      }),
    );
    const perAccount = 3 + 2 * toggles;
    await consumer.waitFor(
      (c) => accounts.every((account) => c.forAccount(account.accountId).length === perAccount),
      30_000,
    );

    for (const account of accounts) {
      const arrivals = consumer.received.filter((event) => event.accountId === account.accountId);
      // Once each: nothing failed, so at-least-once gave no duplicate either.
      expect(arrivals.map((event) => event.sequence)).toEqual(
        Array.from({ length: perAccount }, (_, i) => i + 1),
      );
      expect(arrivals.slice(3).map((event) => event.data.changed)).toEqual(
        Array.from({ length: 2 * toggles }, () => expect.arrayContaining(['cancelAtPeriodEnd'])),
      );
    }
    const rows = await withClient(database.url, (client) =>
      client.query<{ status: string; attempts: number; n: string }>(
        `SELECT status, attempts, COUNT(*) AS n FROM event_deliveries GROUP BY status, attempts`,
      ),
    );
    expect(rows.rows).toEqual([
      { status: 'delivered', attempts: 1, n: String(accounts.length * perAccount) },
    ]);
  }, 90_000);

  it('should send a delivery again from the other instance after the one sending it was killed (-9)', async () => {
    const account = await createAccountWithCli(database.url, 'Killed mid-delivery');
    await stopProcess(instances.pop()!);
    consumer.behaviour = 'hang';
    const attempts = consumer.attempts;
    await subscribeInSandbox(instances[0], account);
    await consumer.waitFor((c) => c.attempts > attempts);

    instances[0].child.kill('SIGKILL');
    await new Promise((resolve) => instances[0].child.once('exit', resolve));
    consumer.behaviour = 'ok';
    instances[0] = await startServiceProcess(env);

    // The new instance waits out the dead one's lease (timeout + 5 s), then sends it.
    await consumer.waitFor((c) => c.forAccount(account.accountId).length === 3, 30_000);
    const events = consumer.forAccount(account.accountId);
    expect(events.map((event) => event.sequence)).toEqual([1, 2, 3]);
    const rows = await withClient(database.url, (client) =>
      client.query<{ sequence: number; status: string; attempts: number }>(
        `SELECT sequence, status, attempts FROM event_deliveries WHERE account_id = $1 ORDER BY sequence`,
        [account.accountId],
      ),
    );
    expect(rows.rows.map((row) => row.status)).toEqual(['delivered', 'delivered', 'delivered']);
    // The first was taken twice: by the killed instance, then by the new one.
    expect(rows.rows[0].attempts).toBe(2);
  }, 90_000);
});
