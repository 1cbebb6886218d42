import { createTestDatabase, TestDatabase, withClient } from '../support/database';
import { ServiceProcess, startServiceProcess } from '../support/service-process';
import { APP_ORIGIN } from '../support/test-app';
import { createAccountWithCli } from './admin-cli';
import { call, countBy, stopProcess } from './http-client';

/**
 * The sandbox provider on two instances sharing one PostgreSQL database: completing a hosted
 * checkout is one atomic step, so clicks that race on both instances make one subscription.
 */
describe('The sandbox on two instances of one PostgreSQL database', () => {
  let database: TestDatabase;
  const instances: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    expect(database.kind).toBe('postgres');
    const env = {
      DATABASE_URL: database.url,
      PAYMENT_PROVIDER: 'sandbox',
      TRIAL_DAYS: '30',
      ALLOWED_REDIRECT_ORIGINS: `${APP_ORIGIN},http://localhost:*`,
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '3000',
    };
    // One first, so that the second finds the migrations applied.
    instances.push(await startServiceProcess(env));
    instances.push(await startServiceProcess(env));
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((instance) => stopProcess(instance)));
    await database?.drop();
  }, 30_000);

  it('should make one subscription of 40 clicks on Subscribe spread over both instances', async () => {
    const account = await createAccountWithCli(database.url, 'Double click account');
    const started = await call(instances[0], 'POST', '/api/subscriptions/sessions', {
      apiKey: account.apiKey,
      body: { successUrl: `${APP_ORIGIN}/welcome` },
    });
    expect(started.status).toBe(200);
    const path = `${new URL(started.body.url as string).pathname}/complete`;

    const clicks = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        fetch(`${instances[index % 2].url}${path}`, { method: 'POST', redirect: 'manual' }).then(
          async (response) => ({ status: response.status, body: await response.text() }),
        ),
      ),
    );

    expect(countBy(clicks.map((click) => String(click.status)))).toEqual({ '303': 1, '400': 39 });
    for (const click of clicks.filter((c) => c.status === 400))
      expect(JSON.parse(click.body)).toEqual({ error: 'This checkout session is complete' });
    const rows = await withClient(database.url, async (client) => ({
      sandbox: (await client.query(`SELECT id FROM sandbox_objects WHERE kind = 'subscription'`)).rows,
      recorded: (
        await client.query('SELECT status FROM subscriptions WHERE account_id = $1', [account.accountId])
      ).rows,
    }));
    expect(rows.sandbox).toHaveLength(1);
    expect(rows.recorded).toEqual([{ status: 'trialing' }]);
    for (const instance of instances) {
      const me = await call(instance, 'GET', '/api/subscriptions/me', { apiKey: account.apiKey });
      expect(me.body.subscription).toMatchObject({ status: 'trialing', otherLiveSubscriptions: 0 });
    }
  });
});
