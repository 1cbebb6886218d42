import { sql } from 'kysely';
import { DAY_MS } from '../src/payments/sandbox/sandbox-proration';
import { SandboxStore, SandboxSubscription } from '../src/payments/sandbox/sandbox-store';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const pathOf = (url: string) => new URL(url).pathname;

/**
 * Change checkouts on the sandbox provider, end to end through the API and the sandbox's pages:
 * the worked examples (monthly → yearly and 3 → 5 seats on day 10 of 30) as previewed and as
 * charged, confirming on the hosted page (twice, as a double click would), a scheduled downgrade
 * that the portal's renewal makes happen, and cancel and resume. Day-exact arithmetic, no network.
 */
describe('Change checkouts on the sandbox', () => {
  let sut: TestApp;
  let store: SandboxStore;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox', TRIAL_DAYS: '0' });
    store = sut.app.get(SandboxStore);
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const api = () => sut.http();
  const me = async () =>
    (await api().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200)).body
      .subscription as Body;

  /** A subscription through the sandbox checkout, moved to day 10 of its 30-day period. */
  async function subscribe(quantity = 1, priceId = 'price_sandbox_monthly'): Promise<SandboxSubscription> {
    const { body } = await api()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId, quantity, successUrl: `${APP_ORIGIN}/done`, cancelUrl: `${APP_ORIGIN}/pricing` })
      .expect(200);
    await api()
      .post(`${pathOf(body.data.url)}/complete`)
      .expect(303);
    const { id } = await me();
    const current = (await store.get('subscription', id))!;
    const start = new Date(Date.now() - 10 * DAY_MS);
    const days = priceId === 'price_sandbox_yearly' ? 365 : 30;
    const moved = {
      ...current,
      currentPeriodStart: start.toISOString(),
      currentPeriodEnd: new Date(start.getTime() + days * DAY_MS).toISOString(),
    };
    await sut.db.changes(sql`UPDATE sandbox_objects SET data = ${JSON.stringify(moved)} WHERE id = ${id}`);
    return moved;
  }

  const change = (body: Body) =>
    api()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({
        successUrl: `${APP_ORIGIN}/changed?session={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${APP_ORIGIN}/plans`,
        ...body,
      });

  const invoicesOf = async (subscription: SandboxSubscription) =>
    (await store.listByOwner('invoice', subscription.customerId)).filter(
      (invoice) => invoice.subscriptionId === subscription.id,
    );

  it('should preview monthly → yearly on day 10 of 30 as −$10.00 and +$150.00, and charge exactly $140.00', async () => {
    const subscription = await subscribe();
    const preview = await change({ subscriptionId: subscription.id, priceId: 'price_sandbox_yearly' }).expect(
      200,
    );
    const current = preview.body.data.estimates.currentInvoice as Body;
    expect(current.lines.map((line: Body) => [line.amount, line.proration])).toEqual([
      [-1000, true],
      [15_000, false],
    ]);
    expect(current).toMatchObject({ amountDue: 14_000, total: 14_000, currency: 'usd' });
    expect(preview.body.data.estimates.nextInvoice).toMatchObject({ amountDue: 15_000 });
    const invoicesBefore = (await invoicesOf(subscription)).length;

    const confirmed = await api()
      .post(`/api/billing/checkout/${preview.body.data.sessionId}/confirm`)
      .set('x-api-key', account.apiKey)
      .expect(200);

    expect(confirmed.body.data.subscription).toMatchObject({ priceId: 'price_sandbox_yearly', quantity: 1 });
    const invoices = await invoicesOf(subscription);
    expect(invoices).toHaveLength(invoicesBefore + 1);
    expect(invoices[0].amount).toBe(14_000);
  });

  it('should preview 3 → 5 seats on day 10 of 30 as −$30.00 and +$50.00, and charge exactly $20.00 on the hosted page, once for a double click', async () => {
    const subscription = await subscribe(3);
    const preview = await change({ subscriptionId: subscription.id, quantity: 5 }).expect(200);
    const data = preview.body.data as Body;
    expect(data.type).toBe('quantity_update');
    expect(data.estimates.currentInvoice.lines.map((line: Body) => line.amount)).toEqual([-3000, 5000]);
    expect(data.estimates.currentInvoice.amountDue).toBe(2000);
    expect(data.estimates.nextInvoice).toMatchObject({ amountDue: 7500 });
    const page = await api().get(pathOf(data.url)).expect(200);
    expect(page.text).toContain('$20.00');
    const invoicesBefore = (await invoicesOf(subscription)).length;

    const clicks = await Promise.all([
      api().post(`${pathOf(data.url)}/confirm`),
      api().post(`${pathOf(data.url)}/confirm`),
    ]);

    const landed = `${APP_ORIGIN}/changed?session=${data.sessionId}`;
    expect(clicks.map((click) => click.status)).toEqual([303, 303]);
    expect(clicks.some((click) => click.headers.location === landed)).toBe(true);
    expect(await me()).toMatchObject({ quantity: 5 });
    const invoices = await invoicesOf(subscription);
    expect(invoices).toHaveLength(invoicesBefore + 1);
    expect(invoices[0].amount).toBe(2000);
  });

  it('should schedule a downgrade for the period end and apply it when the portal renews the subscription', async () => {
    const subscription = await subscribe(5);
    const preview = await change({ subscriptionId: subscription.id, quantity: 2 }).expect(200);
    expect(preview.body.data).toMatchObject({
      timing: 'period_end',
      effectiveAt: subscription.currentPeriodEnd,
    });
    await api()
      .post(`/api/billing/checkout/${preview.body.data.sessionId}/confirm`)
      .set('x-api-key', account.apiKey)
      .expect(200);
    expect(await me()).toMatchObject({
      quantity: 5,
      pendingChange: {
        priceId: 'price_sandbox_monthly',
        quantity: 2,
        effectiveAt: subscription.currentPeriodEnd,
      },
    });

    const portal = await api()
      .post('/api/subscriptions/portal')
      .set('x-api-key', account.apiKey)
      .send({ returnUrl: `${APP_ORIGIN}/billing` })
      .expect(200);
    await api()
      .post(`${pathOf(portal.body.url)}/subscriptions/${subscription.id}/renew`)
      .expect(303);

    expect(await me()).toMatchObject({ quantity: 2, pendingChange: null, status: 'active' });
    const read = await api()
      .get(`/api/billing/checkout/${preview.body.data.sessionId}`)
      .set('x-api-key', account.apiKey)
      .expect(200);
    expect(read.body.data.status).toBe('applied');
  });

  it('should cancel at period end, resume, and cancel at once', async () => {
    await subscribe();
    const canceled = await api()
      .post('/api/subscriptions/cancel')
      .set('x-api-key', account.apiKey)
      .send({})
      .expect(200);
    expect(canceled.body.subscription).toMatchObject({ cancelAtPeriodEnd: true, status: 'active' });
    expect(canceled.body.subscription.cancelAt).toBe(canceled.body.subscription.currentPeriodEnd);
    const resumed = await api()
      .post('/api/subscriptions/resume')
      .set('x-api-key', account.apiKey)
      .send({})
      .expect(200);
    expect(resumed.body.subscription).toMatchObject({ cancelAtPeriodEnd: false, cancelAt: null });
    const ended = await api()
      .post('/api/subscriptions/cancel')
      .set('x-api-key', account.apiKey)
      .send({ atPeriodEnd: false })
      .expect(200);
    expect(ended.body.subscription.status).toBe('canceled');
    const refused = await change({ subscriptionId: ended.body.subscription.id, quantity: 2 }).expect(409);
    expect(refused.body.error.details).toEqual({ reason: 'canceled' });
  });
});
