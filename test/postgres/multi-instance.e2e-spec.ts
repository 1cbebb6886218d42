import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase, withClient } from '../support/database';
import { FakeStripe } from '../support/fake-stripe';
import { ServiceProcess, startServiceProcess } from '../support/service-process';
import { APP_ORIGIN, signedEvent, STRIPE_KEY, SUBSCRIPTION_PRICE, WEBHOOK_SECRET } from '../support/test-app';
import { CliAccount, createAccountWithCli } from './admin-cli';
import { call, countBy, HttpResult, stopProcess } from './http-client';

/**
 * Two instances of the service, each its own process, on one PostgreSQL schema: the guarantees
 * that must hold "on one instance or several sharing one database" (docs/guarantees.md: 1, 2
 * and 6) can only come from the database, since the processes share no memory.
 */

/** A second recurring price, for POST /api/billing/checkout. */
const OTHER_PRICE = 'price_team_monthly';
/** A third recurring price. */
const THIRD_PRICE = 'price_business_yearly';
const TRIAL_DAYS = 30;

describe('Several instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let fake: FakeStripe;
  const instances: ServiceProcess[] = [];
  let serviceEnv: Record<string, string>;

  /** `count` requests at once, alternating between the two instances. */
  function spread<T>(count: number, send: (instance: ServiceProcess, index: number) => Promise<T>) {
    return Promise.all(Array.from({ length: count }, (_, index) => send(instances[index % 2], index)));
  }

  const sql = <T extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
    withClient(database.url, async (client) => (await client.query<T>(text, values)).rows);

  const newAccount = (name: string) =>
    createAccountWithCli(database.url, `${name} ${randomBytes(3).toString('hex')}`);

  const customerCallsFor = (accountId: string) =>
    fake
      .received('POST', '/v1/customers')
      .filter((request) => (request.body.metadata as Record<string, string>)?.accountId === accountId);

  const sessionCallsFor = (accountId: string) =>
    fake
      .received('POST', '/v1/checkout/sessions')
      .filter((request) => request.body.client_reference_id === accountId);

  beforeAll(async () => {
    database = await createTestDatabase();
    expect(database.kind).toBe('postgres');
    fake = await new FakeStripe().start();
    fake.addPrice({ id: SUBSCRIPTION_PRICE, type: 'recurring' });
    fake.addPrice({ id: OTHER_PRICE, type: 'recurring', productName: 'Team' });
    fake.addPrice({ id: THIRD_PRICE, type: 'recurring', interval: 'year', productName: 'Business' });
    serviceEnv = {
      DATABASE_URL: database.url,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      STRIPE_TIMEOUT_MS: '3000',
      SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
      TRIAL_DAYS: String(TRIAL_DAYS),
      ALLOWED_REDIRECT_ORIGINS: `${APP_ORIGIN},http://localhost:*`,
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '3000',
    };
    // Both start at once on an empty schema, so they also race to apply the migrations.
    const started = await Promise.allSettled([
      startServiceProcess(serviceEnv),
      startServiceProcess(serviceEnv),
    ]);
    for (const result of started) if (result.status === 'fulfilled') instances.push(result.value);
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((instance) => stopProcess(instance)));
    await fake?.stop();
    await database?.drop();
  }, 30_000);

  beforeEach(() => {
    fake.clearFaults();
    fake.delayMs = 0;
  });

  describe('start-up', () => {
    it('should apply each migration once when both instances start together on an empty schema', async () => {
      const rows = await sql<{ name: string }>('SELECT name FROM migrations ORDER BY id');
      const names = rows.map((row) => row.name);

      expect(names.length).toBeGreaterThanOrEqual(2);
      expect(new Set(names).size).toBe(names.length);
      for (const instance of instances) {
        const health = await call(instance, 'GET', '/health');
        expect(health.status).toBe(200);
        expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
      }
    });

    it('should serve accounts and API keys made by the admin command line on both instances', async () => {
      const account = await newAccount('CLI account');

      expect(account.accountId).toMatch(/^[0-9a-f-]{36}$/);
      expect(account.apiKey.length).toBeGreaterThanOrEqual(43);
      const [stored] = await sql<{ secret_hash: string; account_id: string }>(
        'SELECT secret_hash, account_id FROM api_keys WHERE id = $1',
        [account.apiKeyId],
      );
      expect(stored.account_id).toBe(account.accountId);
      expect(stored.secret_hash).not.toContain(account.apiKey);
      for (const instance of instances) {
        const me = await call(instance, 'GET', '/api/subscriptions/me', { apiKey: account.apiKey });
        expect({ status: me.status, body: me.body }).toEqual({ status: 200, body: { subscription: null } });
      }
    });
  });

  describe('POST /api/subscriptions/sessions raced across both instances', () => {
    /** `requests` session requests of one account, all at once, spread over both instances. */
    const raceFirstSessions = (account: CliAccount, requests: number) =>
      spread(requests, (instance) =>
        call(instance, 'POST', '/api/subscriptions/sessions', {
          apiKey: account.apiKey,
          body: { successUrl: `${APP_ORIGIN}/welcome` },
        }),
      );

    /** Every layer holds one customer and one open checkout for the account; the session's id. */
    async function expectOneCustomerAndOneCheckout(account: CliAccount, responses: HttpResult[]) {
      const statuses = countBy(responses.map((response) => String(response.status)));
      expect(statuses).toEqual({ '200': responses.length });
      const ids = new Set(responses.map((response) => response.body.id as string));
      expect(ids.size).toBe(1);
      const [sessionId] = [...ids];
      expect(sessionId).toMatch(/^cs_test_/);
      for (const response of responses) {
        expect(response.body).toEqual({
          id: sessionId,
          url: `https://checkout.stripe.test/c/pay/${sessionId}`,
        });
      }

      // The provider was asked once for each (guarantees 1 and 2).
      expect(customerCallsFor(account.accountId)).toHaveLength(1);
      expect(sessionCallsFor(account.accountId)).toHaveLength(1);
      const providerCustomerId = fake.sessions.get(sessionId)!.customer as string;
      expect(fake.customers.has(providerCustomerId)).toBe(true);

      // And the database holds one of each.
      const customers = await sql(
        'SELECT provider, mode, provider_customer_id, lease_until FROM customers WHERE account_id = $1',
        [account.accountId],
      );
      expect(customers).toEqual([
        { provider: 'stripe', mode: 'live', provider_customer_id: providerCustomerId, lease_until: null },
      ]);
      const checkouts = await sql(
        'SELECT status, provider_session_id, price_id, trial_days FROM checkout_sessions WHERE account_id = $1',
        [account.accountId],
      );
      expect(checkouts).toEqual([
        {
          status: 'open',
          provider_session_id: sessionId,
          price_id: SUBSCRIPTION_PRICE,
          trial_days: TRIAL_DAYS,
        },
      ]);
      return sessionId;
    }

    it('should make one provider customer and one checkout for 40 first requests of one account', async () => {
      fake.delayMs = 50;
      const account = await newAccount('Racing account');

      const responses = await raceFirstSessions(account, 40);

      await expectOneCustomerAndOneCheckout(account, responses);
    });

    it('should keep each of several accounts to one customer and one checkout when they all race at once', async () => {
      fake.delayMs = 50;
      const accounts = await Promise.all([1, 2, 3, 4].map((n) => newAccount(`Crowd account ${n}`)));

      const results = await Promise.all(accounts.map((account) => raceFirstSessions(account, 16)));

      const sessionIds = [];
      for (const [index, account] of accounts.entries()) {
        sessionIds.push(await expectOneCustomerAndOneCheckout(account, results[index]));
      }
      expect(new Set(sessionIds).size).toBe(accounts.length);
    });

    it('should return the same open session from either instance on later identical requests', async () => {
      const account = await newAccount('Returning account');
      const [first] = await raceFirstSessions(account, 1);

      const later = await raceFirstSessions(account, 10);

      expect(later.map((response) => response.status)).toEqual(Array(10).fill(200));
      expect(new Set(later.map((response) => response.body.id))).toEqual(new Set([first.body.id]));
      expect(sessionCallsFor(account.accountId)).toHaveLength(1);
    });

    it('should replace the open session once when requests with another success URL race on both instances', async () => {
      const account = await newAccount('Changed-mind account');
      const [first] = await raceFirstSessions(account, 1);

      const later = await spread(10, (instance) =>
        call(instance, 'POST', '/api/subscriptions/sessions', {
          apiKey: account.apiKey,
          body: { successUrl: `${APP_ORIGIN}/again` },
        }),
      );

      expect(later.map((response) => response.status)).toEqual(Array(10).fill(200));
      const ids = new Set(later.map((response) => response.body.id as string));
      expect(ids.size).toBe(1);
      expect(ids.has(first.body.id as string)).toBe(false);
      expect(fake.sessions.get(first.body.id as string)?.status).toBe('expired');
      const calls = sessionCallsFor(account.accountId);
      expect(calls).toHaveLength(2);
      expect(calls[1].body.success_url).toBe(`${APP_ORIGIN}/again`);
    });
  });

  describe('POST /api/billing/checkout raced across both instances', () => {
    const checkoutBody = (priceId: string) => ({
      priceId,
      successUrl: `${APP_ORIGIN}/success?session={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${APP_ORIGIN}/cancel`,
    });

    it('should make one checkout for 40 requests of one account and one price', async () => {
      fake.delayMs = 50;
      const account = await newAccount('Billing account');

      const responses = await spread(40, (instance) =>
        call(instance, 'POST', '/api/billing/checkout', {
          apiKey: account.apiKey,
          body: checkoutBody(OTHER_PRICE),
        }),
      );

      expect(countBy(responses.map((response) => String(response.status)))).toEqual({ '200': 40 });
      const sessionIds = new Set(responses.map((response) => response.body.data?.sessionId as string));
      expect(sessionIds.size).toBe(1);
      const [sessionId] = [...sessionIds];
      expect(responses[0].body).toMatchObject({
        success: true,
        data: { sessionId, url: `https://checkout.stripe.test/c/pay/${sessionId}`, type: 'new_subscription' },
      });
      // Every one of them, the one that made it and those given it back, says exactly the same.
      for (const response of responses) expect(response.body).toEqual(responses[0].body);
      expect(customerCallsFor(account.accountId)).toHaveLength(1);
      expect(sessionCallsFor(account.accountId)).toHaveLength(1);
      const checkouts = await sql<{ status: string; provider_session_id: string; price_id: string }>(
        'SELECT status, provider_session_id, price_id FROM checkout_sessions WHERE account_id = $1',
        [account.accountId],
      );
      expect(checkouts).toEqual([{ status: 'open', provider_session_id: sessionId, price_id: OTHER_PRICE }]);
      const customers = await sql('SELECT id FROM customers WHERE account_id = $1', [account.accountId]);
      expect(customers).toHaveLength(1);
    });

    it('should leave one customer and one open checkout, holding the trial, when four different checkouts race on both endpoints', async () => {
      fake.delayMs = 50;
      const account = await newAccount('Four-checkout account');
      const variants: Array<{ path: string; body: Record<string, unknown> }> = [
        { path: '/api/subscriptions/sessions', body: { successUrl: `${APP_ORIGIN}/welcome` } },
        { path: '/api/billing/checkout', body: checkoutBody(OTHER_PRICE) },
        { path: '/api/billing/checkout', body: { ...checkoutBody(OTHER_PRICE), quantity: 3 } },
        { path: '/api/billing/checkout', body: checkoutBody(THIRD_PRICE) },
      ];

      const responses = await spread(40, (instance, index) => {
        const variant = variants[Math.floor(index / 2) % variants.length];
        return call(instance, 'POST', variant.path, { apiKey: account.apiKey, body: variant.body });
      });

      expect(countBy(responses.map((response) => String(response.status)))).toEqual({ '200': 40 });
      expect(customerCallsFor(account.accountId)).toHaveLength(1);
      const sessionCalls = sessionCallsFor(account.accountId);
      expect(new Set(sessionCalls.map((request) => request.body.customer)).size).toBe(1);
      // However they interleaved, the provider holds one open checkout of the account (guarantee 2),
      // and it is the one that carries the account's one trial (guarantee 3).
      const openAtProvider = [...fake.sessions.values()].filter(
        (session) => session.client_reference_id === account.accountId && session.status === 'open',
      );
      expect(openAtProvider).toHaveLength(1);
      expect((openAtProvider[0]._subscription_data as Record<string, unknown>).trial_period_days).toBe(
        String(TRIAL_DAYS),
      );
      const open = await sql<{ provider_session_id: string }>(
        `SELECT provider_session_id FROM checkout_sessions
          WHERE account_id = $1 AND status IN ('pending', 'open')`,
        [account.accountId],
      );
      expect(open).toEqual([{ provider_session_id: openAtProvider[0].id }]);
      const [holder] = await sql<{ provider_session_id: string }>(
        `SELECT o.provider_session_id FROM accounts a JOIN checkout_sessions o ON o.id = a.trial_checkout_id
          WHERE a.id = $1`,
        [account.accountId],
      );
      expect(holder).toEqual({ provider_session_id: openAtProvider[0].id });
    });

    it('should have at most one lookup of a price in flight per instance', async () => {
      const price = `price_burst_${randomBytes(3).toString('hex')}`;
      fake.addPrice({ id: price, type: 'recurring' });
      fake.delayMs = 200;
      const account = await newAccount('Price burst account');

      const responses = await spread(200, (instance) =>
        call(instance, 'POST', '/api/billing/checkout', {
          apiKey: account.apiKey,
          body: checkoutBody(price),
        }),
      );

      expect(countBy(responses.map((response) => String(response.status)))).toEqual({ '200': 200 });
      expect(fake.received('GET', `/v1/prices/${price}`).length).toBeLessThanOrEqual(instances.length);
    });
  });

  describe('an instance killed in the middle of a first checkout', () => {
    it('should let another instance take the checkout over and give it the trial', async () => {
      const account = await newAccount('Killed checkout account');
      // A short provider budget on the instance that dies, so that its leases run out soon.
      const doomed = await startServiceProcess({
        ...serviceEnv,
        STRIPE_TIMEOUT_MS: '500',
        STRIPE_MAX_NETWORK_RETRIES: '0',
      });
      fake.injectFault({ kind: 'hang' }, { method: 'POST', path: /^\/v1\/customers$/ });
      const request = () =>
        call(doomed, 'POST', '/api/subscriptions/sessions', {
          apiKey: account.apiKey,
          body: { successUrl: `${APP_ORIGIN}/welcome` },
          timeoutMs: 3_000,
        });
      const dying = request();
      // Killed while it waits for the provider to create the customer.
      const deadline = Date.now() + 10_000;
      while (customerCallsFor(account.accountId).length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(customerCallsFor(account.accountId)).toHaveLength(1);
      doomed.child.kill('SIGKILL');
      await dying.catch(() => undefined);
      const pending = await sql<{ status: string; trial_days: number | null }>(
        'SELECT status, trial_days FROM checkout_sessions WHERE account_id = $1',
        [account.accountId],
      );
      expect(pending).toEqual([{ status: 'pending', trial_days: null }]);

      const taken = await call(instances[1], 'POST', '/api/subscriptions/sessions', {
        apiKey: account.apiKey,
        body: { successUrl: `${APP_ORIGIN}/welcome` },
      });

      expect(taken.status).toBe(200);
      const [session] = sessionCallsFor(account.accountId);
      expect((session.body.subscription_data as Record<string, unknown>).trial_period_days).toBe(
        String(TRIAL_DAYS),
      );
      const rows = await sql<{ status: string; trial_days: number }>(
        'SELECT status, trial_days FROM checkout_sessions WHERE account_id = $1',
        [account.accountId],
      );
      expect(rows).toEqual([{ status: 'open', trial_days: TRIAL_DAYS }]);
    }, 40_000);
  });

  describe('POST /api/webhooks/stripe delivered to both instances at the same moment', () => {
    /** An account with an open subscription checkout, and the fake's completion of it. */
    async function completedCheckout(name: string) {
      const account = await newAccount(name);
      const started = await call(instances[0], 'POST', '/api/subscriptions/sessions', {
        apiKey: account.apiKey,
        body: { successUrl: `${APP_ORIGIN}/welcome` },
      });
      expect(started.status).toBe(200);
      const { session, subscription } = fake.completeCheckout(started.body.id as string);
      return { account, session, subscription };
    }

    /** The same delivery, `perInstance` times to each instance, all at once. */
    async function deliverEverywhere(event: { payload: string; signature: string }, perInstance: number) {
      return spread(perInstance * 2, (instance) =>
        call(instance, 'POST', '/api/webhooks/stripe', {
          raw: event.payload,
          headers: { 'stripe-signature': event.signature },
        }),
      );
    }

    const outcomes = (responses: HttpResult[]) =>
      countBy(
        responses.map(
          (response) => `${response.status} ${response.body?.outcome ?? JSON.stringify(response.body)}`,
        ),
      );

    it('should apply checkout.session.completed once and answer the other 19 deliveries duplicate', async () => {
      const { account, session, subscription } = await completedCheckout('Webhook account');
      const event = signedEvent('checkout.session.completed', session);

      const responses = await deliverEverywhere(event, 10);

      expect(outcomes(responses)).toEqual({ '200 applied': 1, '200 duplicate': 19 });
      expect(await sql('SELECT id, type FROM webhook_events WHERE id = $1', [event.id])).toEqual([
        { id: event.id, type: 'checkout.session.completed' },
      ]);
      const stored = await sql(
        'SELECT account_id, status, price_id FROM subscriptions WHERE provider_subscription_id = $1',
        [subscription.id],
      );
      expect(stored).toEqual([
        { account_id: account.accountId, status: 'trialing', price_id: SUBSCRIPTION_PRICE },
      ]);
      expect(
        await sql('SELECT status FROM checkout_sessions WHERE provider_session_id = $1', [session.id]),
      ).toEqual([{ status: 'complete' }]);
      for (const instance of instances) {
        const me = await call(instance, 'GET', '/api/subscriptions/me', { apiKey: account.apiKey });
        expect(me.body.subscription).toMatchObject({
          id: subscription.id,
          status: 'trialing',
          priceId: SUBSCRIPTION_PRICE,
        });
      }
    });

    it('should apply a subscription update once when its 20 deliveries race with each other', async () => {
      const { account, session, subscription } = await completedCheckout('Update account');
      const completed = signedEvent('checkout.session.completed', session);
      expect(
        (
          await call(instances[1], 'POST', '/api/webhooks/stripe', {
            raw: completed.payload,
            headers: { 'stripe-signature': completed.signature },
          })
        ).body,
      ).toEqual({ received: true, outcome: 'applied' });
      // The person cancels at the end of the trial: Stripe's state and the event both say so.
      Object.assign(subscription, { cancel_at_period_end: true });
      const event = signedEvent('customer.subscription.updated', fake.publicObject(subscription));

      const responses = await deliverEverywhere(event, 10);

      expect(outcomes(responses)).toEqual({ '200 applied': 1, '200 duplicate': 19 });
      expect(await sql('SELECT id FROM webhook_events WHERE id = $1', [event.id])).toHaveLength(1);
      const stored = await sql(
        'SELECT account_id, status, cancel_at_period_end FROM subscriptions WHERE provider_subscription_id = $1',
        [subscription.id],
      );
      expect(stored).toEqual([
        { account_id: account.accountId, status: 'trialing', cancel_at_period_end: true },
      ]);
    });

    it('should store the subscription once when different events about it reach both instances together', async () => {
      const { account, session, subscription } = await completedCheckout('Many events account');
      const invoice = {
        id: `in_${randomBytes(8).toString('hex')}`,
        object: 'invoice',
        customer: subscription.customer,
        status: 'paid',
        parent: {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: { subscription: subscription.id, metadata: {} },
        },
      };
      const events = [
        signedEvent('checkout.session.completed', session),
        signedEvent('customer.subscription.created', fake.publicObject(subscription)),
        signedEvent('invoice.paid', invoice),
      ];

      const responses = await Promise.all(events.map((event) => deliverEverywhere(event, 4)));

      for (const [index, event] of events.entries()) {
        expect({ event: event.id, outcomes: outcomes(responses[index]) }).toEqual({
          event: event.id,
          outcomes: { '200 applied': 1, '200 duplicate': 7 },
        });
      }
      const recorded = await sql('SELECT id FROM webhook_events WHERE id = ANY($1)', [
        events.map((event) => event.id),
      ]);
      expect(recorded).toHaveLength(3);
      const stored = await sql(
        'SELECT account_id, status FROM subscriptions WHERE provider_subscription_id = $1',
        [subscription.id],
      );
      expect(stored).toEqual([{ account_id: account.accountId, status: 'trialing' }]);
      const [accountRow] = await sql<{ trial_claimed_at: Date | null }>(
        'SELECT trial_claimed_at FROM accounts WHERE id = $1',
        [account.accountId],
      );
      expect(accountRow.trial_claimed_at).toBeInstanceOf(Date);
    });
  });
  describe('confirming subscription changes on both instances at once', () => {
    /** An account with an active subscription of `quantity` seats, recorded from its webhook. */
    async function subscribed(name: string, quantity: number) {
      const account = await newAccount(name);
      const started = await call(instances[0], 'POST', '/api/billing/checkout', {
        apiKey: account.apiKey,
        body: {
          priceId: OTHER_PRICE,
          quantity,
          successUrl: `${APP_ORIGIN}/ok`,
          cancelUrl: `${APP_ORIGIN}/no`,
        },
      });
      expect(started.status).toBe(200);
      const { subscription } = fake.completeCheckout(started.body.data.sessionId as string, {
        status: 'active',
      });
      const event = signedEvent('customer.subscription.created', fake.publicObject(subscription));
      const delivered = await call(instances[1], 'POST', '/api/webhooks/stripe', {
        raw: event.payload,
        headers: { 'stripe-signature': event.signature },
      });
      expect(delivered.status).toBe(200);
      return { account, subscriptionId: subscription.id };
    }

    const preview = async (account: CliAccount, subscriptionId: string, quantity: number) => {
      const answer = await call(instances[0], 'POST', '/api/billing/checkout', {
        apiKey: account.apiKey,
        body: { subscriptionId, quantity, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/no` },
      });
      expect(answer.status).toBe(200);
      return answer.body.data.sessionId as string;
    };

    it('should apply a change once when 20 confirmations of it race over both instances', async () => {
      fake.delayMs = 50;
      const { account, subscriptionId } = await subscribed('Confirming account', 2);
      const sessionId = await preview(account, subscriptionId, 4);

      const responses = await spread(20, (instance) =>
        call(instance, 'POST', `/api/billing/checkout/${sessionId}/confirm`, { apiKey: account.apiKey }),
      );

      const statuses = countBy(responses.map((response) => String(response.status)));
      expect(statuses['200']).toBe(1);
      expect(statuses['409']).toBe(19);
      expect(fake.received('POST', `/v1/subscriptions/${subscriptionId}`)).toHaveLength(1);
      expect(await sql('SELECT status FROM subscription_changes WHERE session_id = $1', [sessionId])).toEqual(
        [{ status: 'applied' }],
      );
    });

    it('should confirm only one of several different changes of one subscription raced over both instances', async () => {
      fake.delayMs = 50;
      const { account, subscriptionId } = await subscribed('Changing account', 2);
      const sessions: string[] = [];
      for (const quantity of [3, 4, 5, 6]) sessions.push(await preview(account, subscriptionId, quantity));

      const responses = await spread(sessions.length * 2, (instance, index) =>
        call(instance, 'POST', `/api/billing/checkout/${sessions[index % sessions.length]}/confirm`, {
          apiKey: account.apiKey,
        }),
      );

      expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
      expect(responses.every((response) => response.status === 200 || response.status === 409)).toBe(true);
      expect(fake.received('POST', `/v1/subscriptions/${subscriptionId}`)).toHaveLength(1);
      const subscriptions = [...fake.subscriptions.values()].filter(
        (candidate) => candidate.customer === fake.subscriptions.get(subscriptionId)!.customer,
      );
      expect(subscriptions).toHaveLength(1);
    });
  });
});
