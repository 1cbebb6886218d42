import { sql } from 'kysely';
import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';
import { failInsertsInto, stopFailingInserts } from './support/storage-faults';

/** The path of an absolute sandbox page URL, to request it from the in-process app. */
const pathOf = (url: string) => new URL(url).pathname;

describe('The sandbox provider, through its hosted pages', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ TRIAL_DAYS: '30' });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const me = async (who = account) =>
    (await sut.http().get('/api/subscriptions/me').set('x-api-key', who.apiKey).expect(200)).body
      .subscription;

  const startSession = async () =>
    (
      await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: `${APP_ORIGIN}/welcome` })
        .expect(200)
    ).body as { id: string; url: string };

  it('should take a subscription from checkout page to trialing, then refuse a second checkout', async () => {
    const session = await startSession();
    expect(session.url).toBe(`http://localhost:3000/sandbox/checkout/${session.id}`);

    const page = await sut.http().get(pathOf(session.url)).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('Sandbox');
    expect(page.text).toContain('$15.00 per month');
    expect(page.text).toContain('30-day free trial');
    expect(page.text).toMatch(/data-testid="quantity">1</);

    const done = await sut
      .http()
      .post(`${pathOf(session.url)}/complete`)
      .type('form')
      .send({})
      .expect(303);
    expect(done.headers.location).toBe(`${APP_ORIGIN}/welcome`);

    const subscription = await me();
    expect(subscription).toMatchObject({
      status: 'trialing',
      priceId: 'price_sandbox_monthly',
      quantity: 1,
      cancelAtPeriodEnd: false,
      mode: 'live',
    });
    expect(Date.parse(subscription.trialEnd) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const second = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(409);
    expect(second.body).toEqual({ error: expect.stringContaining('already has an active subscription') });
    const completed = await sut.http().get(pathOf(session.url)).expect(200);
    expect(completed.text).toContain('This checkout session is complete');
  });

  it('should put the real session id where the success URL says {CHECKOUT_SESSION_ID}', async () => {
    const { body } = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({
        priceId: 'price_sandbox_yearly',
        quantity: 3,
        successUrl: `${APP_ORIGIN}/done?session={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      })
      .expect(200);

    const page = await sut.http().get(pathOf(body.data.url)).expect(200);
    expect(page.text).toContain('$150.00 per year');
    expect(page.text).toMatch(/data-testid="quantity">3</);
    const done = await sut
      .http()
      .post(`${pathOf(body.data.url)}/complete`)
      .expect(303);

    expect(done.headers.location).toBe(`${APP_ORIGIN}/done?session=${body.data.sessionId}`);
    expect(await me()).toMatchObject({ status: 'trialing', priceId: 'price_sandbox_yearly', quantity: 3 });
  });

  it('should change nothing when the person cancels on the checkout page', async () => {
    const { body } = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({
        priceId: 'price_sandbox_monthly',
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      })
      .expect(200);

    const cancelled = await sut
      .http()
      .post(`${pathOf(body.data.url)}/cancel`)
      .expect(303);

    expect(cancelled.headers.location).toBe(`${APP_ORIGIN}/pricing`);
    expect(await me()).toBeNull();
    const page = await sut.http().get(pathOf(body.data.url)).expect(200);
    expect(page.text).toContain('Subscribe');
  });

  it('should record a one-time payment without a subscription', async () => {
    const { body } = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({
        priceId: 'price_sandbox_credits',
        mode: 'payment',
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: APP_ORIGIN,
      })
      .expect(200);

    await sut
      .http()
      .post(`${pathOf(body.data.url)}/complete`)
      .expect(303);

    expect(await me()).toBeNull();
    const [row] = await sut.db.rows(
      sql<{
        status: string;
      }>`SELECT status FROM checkout_sessions WHERE provider_session_id = ${body.data.sessionId}`,
    );
    expect(row.status).toBe('complete');
  });

  it('should show the subscription and its invoices in the portal, and cancel at period end', async () => {
    const session = await startSession();
    await sut
      .http()
      .post(`${pathOf(session.url)}/complete`)
      .expect(303);
    const portal = await sut
      .http()
      .post('/api/subscriptions/portal')
      .set('x-api-key', account.apiKey)
      .send({ returnUrl: `${APP_ORIGIN}/settings/billing` })
      .expect(200);

    const page = await sut.http().get(pathOf(portal.body.url)).expect(200);
    expect(page.text).toContain('Pro plan (sandbox)');
    expect(page.text).toMatch(/data-testid="status">trialing</);
    expect(page.text).toContain('<td>$0.00</td>');
    expect(page.text).toContain(`href="${APP_ORIGIN}/settings/billing"`);
    const action = /action="([^"]+\/cancel)"/.exec(page.text)![1];

    const cancelled = await sut.http().post(action).expect(303);

    expect(cancelled.headers.location).toBe(pathOf(portal.body.url));
    expect(await me()).toMatchObject({ status: 'trialing', cancelAtPeriodEnd: true });
    const after = await sut.http().get(pathOf(portal.body.url)).expect(200);
    expect(after.text).toContain('Cancels at the end of the period.');
  });

  it('should expire a session whose time is up, and give its trial back', async () => {
    const session = await startSession();
    const [stored] = await sut.db.rows(
      sql<{ data: string }>`SELECT data FROM sandbox_objects WHERE id = ${session.id}`,
    );
    const past = { ...JSON.parse(stored.data), expiresAt: new Date(Date.now() - 60_000).toISOString() };
    await sut.db.changes(
      sql`UPDATE sandbox_objects SET data = ${JSON.stringify(past)} WHERE id = ${session.id}`,
    );

    const page = await sut.http().get(pathOf(session.url)).expect(200);
    await sut
      .http()
      .post(`${pathOf(session.url)}/complete`)
      .expect(400);

    expect(page.text).toContain('This checkout session is expired');
    const [row] = await sut.db.rows(
      sql<{ status: string }>`SELECT status FROM checkout_sessions WHERE provider_session_id = ${session.id}`,
    );
    expect(row.status).toBe('expired');
    const next = await startSession();
    const nextPage = await sut.http().get(pathOf(next.url)).expect(200);
    expect(nextPage.text).toContain('30-day free trial');
  });

  describe('completing a checkout', () => {
    const sandboxSubscriptions = async () =>
      Number(
        (
          await sut.db.first(sql<{
            n: unknown;
          }>`SELECT COUNT(*) AS n FROM sandbox_objects WHERE kind = 'subscription' AND owner = (
               SELECT provider_customer_id FROM customers WHERE account_id = ${account.accountId})`)
        )?.n,
      );
    const recordedSubscriptions = async () =>
      Number(
        (
          await sut.db.first(
            sql<{
              n: unknown;
            }>`SELECT COUNT(*) AS n FROM subscriptions WHERE account_id = ${account.accountId}`,
          )
        )?.n,
      );

    it('should make one subscription of a double click, the other click told the session is complete', async () => {
      const session = await startSession();

      const clicks = await Promise.all(
        Array.from({ length: 6 }, () => sut.http().post(`${pathOf(session.url)}/complete`)),
      );

      const statuses = clicks.map((click) => click.status).sort();
      expect(statuses).toEqual([303, 400, 400, 400, 400, 400]);
      for (const click of clicks.filter((c) => c.status === 400))
        expect(click.body).toEqual({ error: 'This checkout session is complete' });
      expect(await sandboxSubscriptions()).toBe(1);
      expect(await recordedSubscriptions()).toBe(1);
      expect(await me()).toMatchObject({ status: 'trialing', otherLiveSubscriptions: 0 });
    });

    it('should change nothing anywhere when storing fails half-way, and complete on the next click', async () => {
      const session = await startSession();
      // The service's own record of the subscription cannot be written (a full disk, say), after
      // the sandbox has written its objects in the same completion.
      await failInsertsInto(sut, 'subscriptions');
      try {
        const failed = await sut.http().post(`${pathOf(session.url)}/complete`);
        expect(failed.status).toBeGreaterThanOrEqual(500);
      } finally {
        await stopFailingInserts(sut, 'subscriptions');
      }

      expect(await sandboxSubscriptions()).toBe(0);
      expect(await recordedSubscriptions()).toBe(0);
      const page = await sut.http().get(pathOf(session.url)).expect(200);
      expect(page.text).toContain('Subscribe');
      const [row] = await sut.db.rows(
        sql<{
          status: string;
        }>`SELECT status FROM checkout_sessions WHERE provider_session_id = ${session.id}`,
      );
      expect(row.status).toBe('open');
      // The service hands the same checkout out again, and this time it completes.
      expect((await startSession()).id).toBe(session.id);
      await sut
        .http()
        .post(`${pathOf(session.url)}/complete`)
        .expect(303);
      expect(await sandboxSubscriptions()).toBe(1);
      expect(await me()).toMatchObject({ status: 'trialing' });
    });
  });

  it('should answer 404 for sessions it does not know', async () => {
    await sut.http().get('/sandbox/checkout/cs_sbx_unknown').expect(404);
    await sut.http().post('/sandbox/checkout/cs_sbx_unknown/complete').expect(404);
    await sut.http().get('/sandbox/portal/bps_sbx_unknown').expect(404);
  });
});

describe('The sandbox pages with the Stripe provider', () => {
  const { sut } = useStripeApp();

  it('should not exist', async () => {
    await sut.http().get('/sandbox/checkout/cs_sbx_anything').expect(404);
    await sut.http().post('/sandbox/checkout/cs_sbx_anything/complete').expect(404);
  });
});
