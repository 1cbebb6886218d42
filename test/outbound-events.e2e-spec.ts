import { sql } from 'kysely';
import { parseExposition } from './support/prometheus-text';
import { failInsertsInto, stopFailingInserts } from './support/storage-faults';
import { CONSUMER_SECRET, EventConsumer, OTHER_CONSUMER_SECRET } from './support/event-consumer';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

const pathOf = (url: string) => new URL(url).pathname;
const FAST = { EVENT_RETRY_BASE_MS: '20', EVENT_POLL_MS: '50', EVENT_DELIVERY_TIMEOUT_MS: '500' };

describe('Outbound events (sandbox provider)', () => {
  let sut: TestApp;
  let consumer: EventConsumer;
  let other: EventConsumer;
  let account: TestAccount;
  let platformAdmin: TestAccount;

  beforeAll(async () => {
    consumer = await new EventConsumer(CONSUMER_SECRET).start();
    other = await new EventConsumer(OTHER_CONSUMER_SECRET).start();
    sut = await startTestApp({
      TRIAL_DAYS: '30',
      EVENT_ENDPOINTS: `${consumer.url}|${CONSUMER_SECRET}, ${other.url}|${OTHER_CONSUMER_SECRET}`,
      ...FAST,
    });
    platformAdmin = await createAccount(sut, { platformAdmin: true, scopes: ['admin'] });
  });

  afterAll(async () => {
    await sut.close();
    await consumer.stop();
    await other.stop();
  });

  beforeEach(async () => {
    consumer.behaviour = 'ok';
    other.behaviour = 'ok';
    account = await createAccount(sut);
  });

  /** Subscribes the account through the sandbox's checkout page. */
  const subscribe = async (who = account) => {
    const { body } = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', who.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(200);
    await sut
      .http()
      .post(`${pathOf(body.url)}/complete`)
      .expect(303);
    return body.id as string;
  };

  const cancelNow = (who = account) =>
    sut
      .http()
      .post('/api/subscriptions/cancel')
      .set('x-api-key', who.apiKey)
      .send({ atPeriodEnd: false })
      .expect(200);

  it('should tell every endpoint of the subscription created, access granted and the checkout completed, in order', async () => {
    const sessionId = await subscribe();
    await consumer.waitFor((c) => c.forAccount(account.accountId).length >= 3);
    await other.waitFor((c) => c.forAccount(account.accountId).length >= 3);

    const events = consumer.forAccount(account.accountId);
    // The sandbox reports the subscription before the checkout, as Stripe usually does.
    expect(events.map((event) => [event.sequence, event.type])).toEqual([
      [1, 'subscription.created'],
      [2, 'access.granted'],
      [3, 'checkout.completed'],
    ]);
    expect(events[2].data.checkout).toEqual({ id: sessionId, mode: 'subscription', status: 'complete' });
    expect(events[0].data.before).toEqual({ subscription: null });
    expect(events[0].data.after.subscription).toMatchObject({
      status: 'trialing',
      priceId: 'price_sandbox_monthly',
    });
    expect(events[0].data.changed).toEqual(expect.arrayContaining(['status', 'priceId', 'quantity']));
    expect(events[1].data).toEqual({ before: events[0].data.before, after: events[0].data.after });
    const me = await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200);
    expect(events[2].data.after).toEqual(me.body);
    expect(events[2].data.before).toEqual(me.body);
    for (const event of events) {
      expect(event.webhookId).toBe(event.id);
      expect(event.id).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(event.mode).toBe('live');
    }
    expect(other.forAccount(account.accountId).map((event) => event.id)).toEqual(
      events.map((event) => event.id),
    );
    expect(consumer.refused).toBe(0);
  });

  it('should say canceled and access revoked when the subscription ends, with me before and after', async () => {
    await subscribe();
    await cancelNow();
    await consumer.waitFor((c) => c.forAccount(account.accountId).length >= 5);
    const events = consumer.forAccount(account.accountId);
    expect(events.slice(3).map((event) => event.type)).toEqual(['subscription.canceled', 'access.revoked']);
    const canceled = events[3];
    expect(canceled.data.changed).toContain('status');
    expect(canceled.data.before.subscription.status).toBe('trialing');
    expect(canceled.data.after.subscription.status).toBe('canceled');
  });

  it('should deliver every event, in order, once a consumer that was down is back', async () => {
    await consumer.waitFor(() => true);
    consumer.behaviour = 'down';
    const accounts = [account, await createAccount(sut), await createAccount(sut)];
    const attempts = consumer.attempts;
    for (const who of accounts) await subscribe(who);
    await cancelNow(accounts[0]);
    await consumer.waitFor((c) => c.attempts >= attempts + 12);
    for (const who of accounts) expect(consumer.forAccount(who.accountId)).toEqual([]);
    // The other endpoint is not held up by this one.
    await other.waitFor((c) => accounts.every((who) => c.forAccount(who.accountId).length >= 3));

    consumer.behaviour = 'ok';
    await consumer.waitFor((c) =>
      accounts.every((who, i) => c.forAccount(who.accountId).length === (i === 0 ? 5 : 3)),
    );
    for (const who of accounts) {
      const sequences = consumer.forAccount(who.accountId).map((event) => event.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(sequences[0]).toBe(1);
      // In order per account: no event arrived before an earlier one of the same account.
      const arrivals = consumer.received.filter((event) => event.accountId === who.accountId);
      for (let i = 1; i < arrivals.length; i++)
        expect(arrivals[i].sequence).toBeGreaterThanOrEqual(arrivals[i - 1].sequence);
    }
  });

  it('should keep delivering to the other endpoints while one hangs', async () => {
    consumer.behaviour = 'hang';
    const started = Date.now();
    await subscribe();
    await other.waitFor((c) => c.forAccount(account.accountId).length >= 3);
    expect(Date.now() - started).toBeLessThan(3_000);
    consumer.behaviour = 'ok';
    await consumer.waitFor((c) => c.forAccount(account.accountId).length >= 3, 15_000);
  });

  it('should write no event when the change is undone with its transaction', async () => {
    const before = await eventCount(account.accountId);
    await failInsertsInto(sut, 'outbound_events');
    try {
      const { body } = await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: `${APP_ORIGIN}/welcome` })
        .expect(200);
      const done = await sut.http().post(`${pathOf(body.url)}/complete`);
      expect(done.status).toBeGreaterThanOrEqual(500);
    } finally {
      await stopFailingInserts(sut, 'outbound_events');
    }
    const me = await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200);
    expect(me.body).toEqual({ subscription: null });
    expect(await eventCount(account.accountId)).toBe(before);
  });

  describe('the pull feed', () => {
    it('should give an admin its own and its granted accounts’ events, page by page, and nobody else’s', async () => {
      const admin = await createAccount(sut, { scopes: ['admin'] });
      const stranger = await createAccount(sut);
      await sut.admin.addGrant(admin.accountId, account.accountId);
      await subscribe(account);
      await subscribe(stranger);

      const seen: Array<{ accountId: string; sequence: number; type: string }> = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const { body } = await sut
          .http()
          .get('/api/events')
          .query({ limit: 2, ...(after ? { after } : {}) })
          .set('x-api-key', admin.apiKey)
          .expect(200);
        seen.push(...body.data);
        after = body.nextCursor;
        if (!body.hasMore) break;
      }
      expect(seen.map((event) => [event.accountId, event.sequence, event.type])).toEqual([
        [account.accountId, 1, 'subscription.created'],
        [account.accountId, 2, 'access.granted'],
        [account.accountId, 3, 'checkout.completed'],
      ]);
      const again = await sut
        .http()
        .get('/api/events')
        .query({ after })
        .set('x-api-key', admin.apiKey)
        .expect(200);
      expect(again.body).toEqual({ data: [], nextCursor: after, hasMore: false });

      const all = await sut
        .http()
        .get('/api/events')
        .query({ limit: 1000 })
        .set('x-api-key', platformAdmin.apiKey);
      expect(all.body.data.map((event: { accountId: string }) => event.accountId)).toEqual(
        expect.arrayContaining([account.accountId, stranger.accountId]),
      );
      const one = await sut
        .http()
        .get('/api/events')
        .query({ accountId: stranger.accountId })
        .set('x-api-key', platformAdmin.apiKey)
        .expect(200);
      expect(new Set(one.body.data.map((event: { accountId: string }) => event.accountId))).toEqual(
        new Set([stranger.accountId]),
      );
    });

    it('should refuse credentials without the admin scope, accounts they may not read and bad cursors', async () => {
      const admin = await createAccount(sut, { scopes: ['admin'] });
      await sut.http().get('/api/events').set('x-api-key', account.apiKey).expect(403);
      await sut.http().get('/api/events').expect(401);
      await sut
        .http()
        .get('/api/events')
        .query({ accountId: account.accountId })
        .set('x-api-key', admin.apiKey)
        .expect(403);
      const bad = await sut
        .http()
        .get('/api/events')
        .query({ after: 'nope' })
        .set('x-api-key', admin.apiKey)
        .expect(400);
      expect(bad.body).toEqual({ error: 'after must be a nextCursor this feed gave' });
      const limit = await sut
        .http()
        .get('/api/events')
        .query({ limit: 0 })
        .set('x-api-key', admin.apiKey)
        .expect(400);
      expect(limit.body.error).toContain('limit must be a whole number from 1 to 1000');
    });
  });

  describe('endpoints and deliveries, for platform admins', () => {
    it('should add an endpoint (secret shown once), deliver to it from then on, and remove it', async () => {
      const added = await new EventConsumer(OTHER_CONSUMER_SECRET).start();
      try {
        const created = await sut
          .http()
          .post('/api/events/endpoints')
          .set('x-api-key', platformAdmin.apiKey)
          .send({ url: added.url, description: 'entitlements' })
          .expect(201);
        expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
        // The consumer learns the secret from the answer.
        const verifying = new EventConsumer(created.body.secret);
        Object.assign(added, { webhook: (verifying as unknown as { webhook: unknown }).webhook });

        await subscribe();
        await added.waitFor((c) => c.forAccount(account.accountId).length >= 3);

        const list = await sut
          .http()
          .get('/api/events/endpoints')
          .set('x-api-key', platformAdmin.apiKey)
          .expect(200);
        expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
        expect(list.body.data).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              id: created.body.id,
              source: 'api',
              description: 'entitlements',
              enabled: true,
            }),
            expect.objectContaining({ url: consumer.url, source: 'config' }),
          ]),
        );
        const removed = await sut
          .http()
          .delete(`/api/events/endpoints/${created.body.id}`)
          .set('x-api-key', platformAdmin.apiKey)
          .expect(200);
        expect(removed.body).toEqual(
          expect.objectContaining({ id: created.body.id, url: created.body.url, source: 'api' }),
        );
        expect(removed.body).not.toHaveProperty('secret');
        await sut
          .http()
          .delete(`/api/events/endpoints/${created.body.id}`)
          .set('x-api-key', platformAdmin.apiKey)
          .expect(404);
        const configured = list.body.data.find(
          (endpoint: { source: string }) => endpoint.source === 'config',
        );
        await sut
          .http()
          .delete(`/api/events/endpoints/${configured.id}`)
          .set('x-api-key', platformAdmin.apiKey)
          .expect(400);
      } finally {
        await added.stop();
      }
    });

    it('should refuse bad endpoints and credentials that are not a platform admin’s', async () => {
      const admin = await createAccount(sut, { scopes: ['admin'] });
      await sut.http().get('/api/events/endpoints').set('x-api-key', admin.apiKey).expect(403);
      await sut.http().get('/api/events/deliveries').set('x-api-key', account.apiKey).expect(403);
      for (const body of [
        { url: 'ftp://example.com/x' },
        { url: 'https://user:pass@example.com/x' },
        { url: 'https://example.com/x', secret: 'not-a-secret' },
        { url: 'https://example.com/x', extra: 1 },
        {},
      ]) {
        const refused = await sut
          .http()
          .post('/api/events/endpoints')
          .set('x-api-key', platformAdmin.apiKey)
          .send(body);
        expect(refused.status).toBe(400);
        expect(typeof refused.body.error).toBe('string');
      }
      const list = await sut
        .http()
        .get('/api/events/endpoints')
        .set('x-api-key', platformAdmin.apiKey)
        .expect(200);
      expect(list.body.data.filter((endpoint: { source: string }) => endpoint.source === 'api')).toEqual([]);
    });
  });

  const eventCount = async (accountId: string) =>
    Number(
      (await sut.db.first(
        sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM outbound_events WHERE account_id = ${accountId}`,
      ))!.n,
    );
});

describe('Outbound events whose retry window ends', () => {
  let sut: TestApp;
  let consumer: EventConsumer;
  let admin: TestAccount;

  beforeAll(async () => {
    consumer = await new EventConsumer(CONSUMER_SECRET).start();
    sut = await startTestApp({
      EVENT_ENDPOINTS: `${consumer.url}|${CONSUMER_SECRET}`,
      EVENT_RETRY_FOR: '1s',
      EVENT_RETENTION: '1h',
      METRICS_TOKEN: METRICS_TOKEN,
      ...FAST,
    });
    admin = await createAccount(sut, { platformAdmin: true, scopes: ['admin'] });
  });

  afterAll(async () => {
    await sut.close();
    await consumer.stop();
  });

  it('should park them, show them to platform admins, and send them again on replay with the same webhook-id', async () => {
    consumer.behaviour = 'down';
    const account = await createAccount(sut);
    const { body } = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(200);
    await sut
      .http()
      .post(`${pathOf(body.url)}/complete`)
      .expect(303);

    let parked: Array<{ id: string; eventId: string; status: string; attempts: number; lastStatus: number }> =
      [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const list = await sut
        .http()
        .get('/api/events/deliveries')
        .query({ status: 'parked' })
        .set('x-api-key', admin.apiKey)
        .expect(200);
      parked = list.body.data;
      if (parked.length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(parked).toHaveLength(3);
    // The first was retried until its window ended; those behind it (in order) had what was left.
    for (const delivery of parked) {
      expect(delivery.attempts).toBeGreaterThanOrEqual(1);
      expect(delivery.lastStatus).toBe(503);
    }
    expect(Math.max(...parked.map((delivery) => delivery.attempts))).toBeGreaterThan(2);
    expect(consumer.received).toHaveLength(0);

    // What an operator sees meanwhile: the parked backlog and the failed attempts, by endpoint.
    const endpointId = (await sut.http().get('/api/events/endpoints').set('x-api-key', admin.apiKey)).body
      .data[0].id;
    const scrape = await sut
      .http()
      .get('/metrics')
      .set('authorization', `Bearer ${METRICS_TOKEN}`)
      .expect(200);
    const metrics = parseExposition(scrape.text);
    expect(metrics.value('billing_outbox_parked_deliveries', { endpoint: endpointId })).toBe(3);
    expect(metrics.value('billing_outbox_pending_deliveries', { endpoint: endpointId })).toBe(0);
    expect(metrics.sum('billing_event_deliveries_total', { endpoint: endpointId, outcome: 'parked' })).toBe(
      3,
    );
    expect(
      metrics.sum('billing_event_deliveries_total', { endpoint: endpointId, outcome: 'failed' }),
    ).toBeGreaterThan(0);
    expect(scrape.text).not.toContain(consumer.url);
    const health = await sut.http().get('/health').expect(200);
    expect(health.body.info.outbox).toEqual({ status: 'up', endpoints: 1 });

    consumer.behaviour = 'ok';
    const notParked = await sut
      .http()
      .post(`/api/events/deliveries/dlv_nope/replay`)
      .set('x-api-key', admin.apiKey);
    expect(notParked.status).toBe(404);
    for (const delivery of parked) {
      const replayed = await sut
        .http()
        .post(`/api/events/deliveries/${delivery.id}/replay`)
        .set('x-api-key', admin.apiKey)
        .expect(200);
      expect(replayed.body).toMatchObject({ id: delivery.id, status: 'pending', attempts: 0 });
    }
    await consumer.waitFor((c) => c.distinct().length === 3);
    expect(new Set(consumer.distinct().map((event) => event.webhookId))).toEqual(
      new Set(parked.map((delivery) => delivery.eventId)),
    );
    const again = await sut
      .http()
      .post(`/api/events/deliveries/${parked[0].id}/replay`)
      .set('x-api-key', admin.apiKey);
    expect(again.status).toBe(400);
  });
});

const METRICS_TOKEN = 'metrics-token-for-outbound-events';
