import { sql } from 'kysely';
import { SandboxStore } from '../src/payments/sandbox/sandbox-store';
import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

// The sandbox's test controls (Stripe's test clocks are the model): "Fail the next payment"
// reaching the next renewal, and the portal's three controls by API for admin credentials.

const pathOf = (url: string) => new URL(url).pathname;

describe('The sandbox test controls', () => {
  let sut: TestApp;
  let store: SandboxStore;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox', TRIAL_DAYS: '30' });
    store = sut.app.get(SandboxStore);
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut, { scopes: ['admin'] });
  });

  const me = async (who: TestAccount) =>
    (await sut.http().get('/api/subscriptions/me').set('x-api-key', who.apiKey).expect(200)).body
      .subscription;

  /** A trialing subscription of the account's, through the sandbox checkout. */
  const subscribe = async (who: TestAccount): Promise<string> => {
    const session = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', who.apiKey)
      .send({ successUrl: `${APP_ORIGIN}/welcome` })
      .expect(200);
    await sut
      .http()
      .post(`${pathOf(session.body.url)}/complete`)
      .expect(303);
    return (await me(who)).id as string;
  };

  const openPortal = async (who: TestAccount) =>
    (
      await sut
        .http()
        .post('/api/subscriptions/portal')
        .set('x-api-key', who.apiKey)
        .send({ returnUrl: `${APP_ORIGIN}/settings` })
        .expect(200)
    ).body as { id: string };

  /** The ids of the events the service recorded, with their types. */
  const events = async () =>
    new Map(
      (await sut.db.rows(sql<{ id: string; type: string }>`SELECT id, type FROM webhook_events`)).map(
        (row) => [row.id, row.type],
      ),
    );
  const newEventTypes = async (before: Map<string, string>) =>
    [...(await events())]
      .filter(([id]) => !before.has(id))
      .map(([, type]) => type)
      .sort();

  const invoicesOf = async (subscriptionId: string) => {
    const subscription = (await store.get('subscription', subscriptionId))!;
    return (await store.listByOwner('invoice', subscription.customerId)).filter(
      (invoice) => invoice.subscriptionId === subscriptionId,
    );
  };

  describe('on the portal', () => {
    it('should make the next renewal fail: past due, an unpaid invoice, and the events Stripe sends', async () => {
      const subscriptionId = await subscribe(account);
      const portal = await openPortal(account);
      const base = `/sandbox/portal/${portal.id}`;
      await sut.http().post(`${base}/subscriptions/${subscriptionId}/end-trial`).expect(303);
      expect(await me(account)).toMatchObject({ status: 'active' });
      await sut.http().post(`${base}/fail-next-payment`).expect(303);
      const before = await events();

      await sut.http().post(`${base}/subscriptions/${subscriptionId}/renew`).expect(303);

      expect(await me(account)).toMatchObject({ id: subscriptionId, status: 'past_due' });
      expect(await newEventTypes(before)).toEqual([
        'customer.subscription.updated',
        'invoice.payment_failed',
      ]);
      const [latest] = await invoicesOf(subscriptionId);
      expect(latest).toMatchObject({ amount: 1500, status: 'unpaid', billingReason: 'subscription_cycle' });
      const portalPage = await sut.http().get(base).expect(200);
      expect(portalPage.text).toMatch(/data-testid="status">past_due</);
      expect(portalPage.text).toContain('Fail the next payment');
      const invoicePage = await sut.http().get(`/sandbox/invoice/${latest.id}`).expect(200);
      expect(invoicePage.text).toContain('The payment of this invoice failed: the subscription is past due.');

      // The flag was spent: the renewal after it is paid, and the subscription active again.
      const paying = await events();
      await sut.http().post(`${base}/subscriptions/${subscriptionId}/renew`).expect(303);
      expect(await me(account)).toMatchObject({ status: 'active' });
      expect(await newEventTypes(paying)).toEqual(['customer.subscription.updated', 'invoice.paid']);
      expect((await invoicesOf(subscriptionId))[0]).toMatchObject({ status: 'paid' });
    });

    it('should make the end of a trial fail to be paid too', async () => {
      const subscriptionId = await subscribe(account);
      const portal = await openPortal(account);
      await sut.http().post(`/sandbox/portal/${portal.id}/fail-next-payment`).expect(303);
      const before = await events();

      await sut
        .http()
        .post(`/sandbox/portal/${portal.id}/subscriptions/${subscriptionId}/end-trial`)
        .expect(303);

      expect(await me(account)).toMatchObject({ status: 'past_due' });
      expect(await newEventTypes(before)).toEqual([
        'customer.subscription.updated',
        'invoice.payment_failed',
      ]);
    });
  });

  describe('by API, POST /api/sandbox/subscriptions/{id}/…', () => {
    const control = (who: TestAccount | null, subscriptionId: string, action: string) => {
      const call = sut.http().post(`/api/sandbox/subscriptions/${subscriptionId}/${action}`);
      return who ? call.set('x-api-key', who.apiKey) : call;
    };

    it('should end the trial, fail the next payment and advance to the renewal, answering as me does', async () => {
      const subscriptionId = await subscribe(account);

      const ended = await control(account, subscriptionId, 'end-trial').expect(200);
      expect(ended.body).toEqual({ subscription: await me(account) });
      expect(ended.body.subscription).toMatchObject({ id: subscriptionId, status: 'active' });

      const failing = await control(account, subscriptionId, 'fail-next-payment').expect(200);
      expect(failing.body.subscription).toMatchObject({ status: 'active' });
      const before = await events();
      const renewed = await control(account, subscriptionId, 'advance-to-renewal').expect(200);

      expect(renewed.body.subscription).toMatchObject({ id: subscriptionId, status: 'past_due' });
      expect(renewed.body).toEqual({ subscription: await me(account) });
      expect(await newEventTypes(before)).toEqual([
        'customer.subscription.updated',
        'invoice.payment_failed',
      ]);
      expect(Date.parse(renewed.body.subscription.currentPeriodEnd)).toBeGreaterThan(
        Date.parse(ended.body.subscription.currentPeriodEnd),
      );

      const again = await control(account, subscriptionId, 'end-trial').expect(400);
      expect(again.body).toEqual({ error: 'This subscription is not in a trial' });
    });

    it('should let an admin with a grant, or a platform admin, control another account’s subscription', async () => {
      const customer = await createAccount(sut, { name: 'Customer' });
      const subscriptionId = await subscribe(customer);
      await sut.admin.addGrant(account.accountId, customer.accountId);
      const platform = await createAccount(sut, { platformAdmin: true, scopes: ['admin'] });

      const ended = await control(account, subscriptionId, 'end-trial').expect(200);
      const renewed = await control(platform, subscriptionId, 'advance-to-renewal').expect(200);

      expect(ended.body.subscription).toMatchObject({ id: subscriptionId, status: 'active' });
      expect(renewed.body).toEqual({ subscription: await me(customer) });
    });

    it('should refuse a key without the admin scope, on its own subscription too', async () => {
      const plain = await createAccount(sut, { name: 'Plain' });
      const subscriptionId = await subscribe(plain);

      for (const action of ['advance-to-renewal', 'end-trial', 'fail-next-payment']) {
        const refused = await control(plain, subscriptionId, action).expect(403);
        expect(refused.body).toEqual({
          error: 'The sandbox controls need a credential with the admin scope',
        });
      }
      expect(await me(plain)).toMatchObject({ status: 'trialing' });
      expect(
        (await store.get('customer', (await store.get('subscription', subscriptionId))!.customerId))!,
      ).not.toHaveProperty('failNextPayment', true);
    });

    it('should refuse an admin without a grant on the account, and answer 404 for unknown ids', async () => {
      const other = await createAccount(sut, { name: 'Other' });
      const subscriptionId = await subscribe(other);

      const refused = await control(account, subscriptionId, 'advance-to-renewal').expect(403);
      expect(refused.body).toEqual({ error: 'This credential has no grant on that account' });
      expect(await me(other)).toMatchObject({ status: 'trialing' });
      for (const id of ['sub_sbx_0123456789abcdef01234567', 'not-an-id']) {
        const unknown = await control(account, id, 'end-trial').expect(404);
        expect(unknown.body).toEqual({ error: 'No such subscription' });
      }
      await control(null, subscriptionId, 'end-trial').expect(401);
    });
  });
});

describe('The sandbox test controls with the Stripe provider', () => {
  const { sut } = useStripeApp();

  it('should not exist', async () => {
    const admin = await createAccount(sut, { platformAdmin: true, scopes: ['admin'] });

    await sut
      .http()
      .post('/api/sandbox/subscriptions/sub_123/advance-to-renewal')
      .set('x-api-key', admin.apiKey)
      .expect(404);
  });
});
