import { sql } from 'kysely';
import { ProviderError } from '../src/common/errors/domain-errors';
import { SubscriptionChangeTerms } from '../src/payments/payment-provider';
import { SandboxPaymentProvider } from '../src/payments/sandbox/sandbox-payment-provider';
import { DAY_MS } from '../src/payments/sandbox/sandbox-proration';
import { SandboxStore, SandboxSubscription } from '../src/payments/sandbox/sandbox-store';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

// The sandbox provider's side of subscription changes, called as the service calls it: previews
// and changes of a subscription made through the sandbox checkout, whose period the test moves
// back 10 days (day 10 of 30), and the portal's renewal that makes a scheduled change happen.

const pathOf = (url: string) => new URL(url).pathname;

describe('The sandbox provider, changing subscriptions', () => {
  let sut: TestApp;
  let provider: SandboxPaymentProvider;
  let store: SandboxStore;
  let account: TestAccount;
  let keys = 0;
  const key = () => `test-key-${Date.now()}-${(keys += 1)}`;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox', TRIAL_DAYS: '0' });
    provider = sut.app.get(SandboxPaymentProvider);
    store = sut.app.get(SandboxStore);
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  /** A subscription through the sandbox checkout, on day 10 of its 30-day period. */
  const subscribe = async (quantity = 1, priceId = 'price_sandbox_monthly') => {
    const { body } = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId, quantity, successUrl: `${APP_ORIGIN}/done`, cancelUrl: `${APP_ORIGIN}/pricing` })
      .expect(200);
    await sut
      .http()
      .post(`${pathOf(body.data.url)}/complete`)
      .expect(303);
    const { id } = (
      await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200)
    ).body.subscription;
    const now = new Date();
    const start = new Date(now.getTime() - 10 * DAY_MS);
    const subscription = await edit(id, (stored) => ({
      ...stored,
      currentPeriodStart: start.toISOString(),
      currentPeriodEnd: new Date(start.getTime() + 30 * DAY_MS).toISOString(),
    }));
    return { subscription, now };
  };

  const stored = async (id: string) => (await store.get('subscription', id))!;

  const edit = async (id: string, change: (stored: SandboxSubscription) => SandboxSubscription) => {
    const next = change(await stored(id));
    await sut.db.changes(sql`UPDATE sandbox_objects SET data = ${JSON.stringify(next)} WHERE id = ${id}`);
    return next;
  };

  const terms = (
    subscription: SandboxSubscription,
    prorationDate: Date,
    change: Partial<SubscriptionChangeTerms>,
  ): SubscriptionChangeTerms => ({
    mode: 'live',
    customerId: subscription.customerId,
    subscriptionId: subscription.id,
    itemId: subscription.id,
    priceId: subscription.priceId,
    quantity: subscription.quantity,
    prorationDate,
    trialEnd: null,
    ...change,
  });

  const invoicesOf = (subscription: SandboxSubscription) =>
    store
      .listByOwner('invoice', subscription.customerId)
      .then((invoices) => invoices.filter((invoice) => invoice.subscriptionId === subscription.id));

  const recorded = async (subscriptionId: string) =>
    sut.db.first(
      sql<{
        priceId: string;
        quantity: number;
        status: string;
        scheduleId: string | null;
      }>`SELECT price_id, quantity, status, schedule_id FROM subscriptions
          WHERE provider_subscription_id = ${subscriptionId}`,
    );

  /** The types of the events the service recorded, by id (their order within a millisecond is unknown). */
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

  const openPortal = async () =>
    (
      await sut
        .http()
        .post('/api/subscriptions/portal')
        .set('x-api-key', account.apiKey)
        .send({ returnUrl: `${APP_ORIGIN}/settings` })
        .expect(200)
    ).body as { id: string; url: string };

  describe('previewChange', () => {
    it('should credit 20 unused days and charge a full year, monthly $15 to yearly $150 on day 10', async () => {
      const { subscription, now } = await subscribe();

      const estimate = await provider.previewChange(
        terms(subscription, now, { priceId: 'price_sandbox_yearly' }),
      );

      expect(
        estimate.lines.map(({ description, amount, proration }) => ({ description, amount, proration })),
      ).toEqual([
        { description: 'Unused time on 1 × Pro plan (sandbox)', amount: -1000, proration: true },
        { description: '1 × Pro plan, yearly (sandbox)', amount: 15000, proration: false },
      ]);
      expect(estimate).toMatchObject({ total: 14000, amountDue: 14000, currency: 'usd', date: now });
      expect(await stored(subscription.id)).toEqual(subscription);
      expect(await invoicesOf(subscription)).toHaveLength(1);
    });

    it('should refuse a subscription of another customer, and a price it does not know', async () => {
      const { subscription, now } = await subscribe();

      await expect(
        provider.previewChange(terms(subscription, now, { customerId: 'cus_sbx_someoneelse', quantity: 2 })),
      ).rejects.toThrow(ProviderError);
      await expect(
        provider.previewChange(terms(subscription, now, { priceId: 'price_nope' })),
      ).rejects.toThrow('No such recurring price');
    });
  });

  describe('applyChange', () => {
    it('should charge 2 more seats for 20 of 30 days, once however often it is asked', async () => {
      const { subscription, now } = await subscribe(3);
      const change = { ...terms(subscription, now, { quantity: 5 }), idempotencyKey: key() };
      const preview = await provider.previewChange(change);

      const [first, second] = await Promise.all([provider.applyChange(change), provider.applyChange(change)]);
      const third = await provider.applyChange(change);

      expect(preview.lines.map((line) => line.amount)).toEqual([-3000, 5000]);
      for (const answer of [first, second, third]) {
        expect(answer).toMatchObject({ outcome: 'applied', invoiceUrl: null });
        expect(answer.subscription.subscription).toMatchObject({ id: subscription.id, quantity: 5 });
      }
      const after = await stored(subscription.id);
      expect(after).toMatchObject({
        quantity: 5,
        priceId: 'price_sandbox_monthly',
        currentPeriodStart: subscription.currentPeriodStart,
        currentPeriodEnd: subscription.currentPeriodEnd,
      });
      const invoices = await invoicesOf(subscription);
      expect(invoices).toHaveLength(2);
      expect(invoices[0]).toMatchObject({ amount: 2000, status: 'paid' });
      expect(invoices[0].lines!.map((line) => line.amount)).toEqual([-3000, 5000]);
    });

    it('should start a year at the change for monthly to yearly, charging what the preview showed', async () => {
      const { subscription, now } = await subscribe();
      const change = terms(subscription, now, { priceId: 'price_sandbox_yearly' });
      const preview = await provider.previewChange(change);

      const applied = await provider.applyChange({ ...change, idempotencyKey: key() });

      expect(applied.subscription.subscription).toMatchObject({
        priceId: 'price_sandbox_yearly',
        status: 'active',
        currentPeriodStart: now,
        currentPeriodEnd: new Date(now.getTime() + 365 * DAY_MS),
      });
      const [invoice] = await invoicesOf(subscription);
      expect(invoice.amount).toBe(preview.amountDue);
      expect(invoice.amount).toBe(14000);
    });

    it('should fail the payment the portal asked to fail, keep the old terms, and succeed the next time', async () => {
      const { subscription, now } = await subscribe(3);
      const portal = await openPortal();
      const failing = await sut.http().post(`/sandbox/portal/${portal.id}/fail-next-payment`).expect(303);
      expect(failing.headers.location).toBe(`/sandbox/portal/${portal.id}`);
      expect((await sut.http().get(`/sandbox/portal/${portal.id}`).expect(200)).text).toContain(
        'The next payment will fail.',
      );

      const failed = await provider.applyChange({
        ...terms(subscription, now, { quantity: 5 }),
        idempotencyKey: key(),
      });

      expect(failed.outcome).toBe('payment_failed');
      expect(failed.invoiceUrl).toMatch(/^http:\/\/localhost:3000\/sandbox\/invoice\/in_sbx_[0-9a-f]{24}$/);
      expect(failed.subscription.subscription.quantity).toBe(3);
      expect(await stored(subscription.id)).toEqual(subscription);
      const invoicePage = await sut.http().get(pathOf(failed.invoiceUrl!)).expect(200);
      expect(invoicePage.text).toContain('The payment of this invoice failed');
      expect(invoicePage.text).toContain('$20.00');
      expect(invoicePage.headers['referrer-policy']).toBeDefined();
      expect((await store.get('customer', subscription.customerId))?.failNextPayment).toBe(false);

      const retried = await provider.applyChange({
        ...terms(subscription, now, { quantity: 5 }),
        idempotencyKey: key(),
      });
      expect(retried.outcome).toBe('applied');
      expect((await stored(subscription.id)).quantity).toBe(5);
    });

    it('should not fail a change that charges nothing, and keep the flag for the next payment', async () => {
      const { subscription, now } = await subscribe(3);
      const portal = await openPortal();
      await sut.http().post(`/sandbox/portal/${portal.id}/fail-next-payment`).expect(303);

      const applied = await provider.applyChange({
        ...terms(subscription, now, { quantity: 2 }),
        idempotencyKey: key(),
      });

      expect(applied.outcome).toBe('applied');
      expect((await invoicesOf(subscription))[0]).toMatchObject({ amount: 0, status: 'paid' });
      expect((await store.get('customer', subscription.customerId))?.failNextPayment).toBe(true);
    });

    it('should keep a trial and charge nothing, or end it and charge the new terms in full', async () => {
      const { subscription, now } = await subscribe();
      const trialing = await edit(subscription.id, (s) => ({
        ...s,
        status: 'trialing',
        trialEnd: s.currentPeriodEnd,
      }));
      const trialEnd = new Date(trialing.trialEnd!);

      const kept = await provider.previewChange(terms(trialing, now, { quantity: 2, trialEnd }));
      const keptApplied = await provider.applyChange({
        ...terms(trialing, now, { quantity: 2, trialEnd }),
        idempotencyKey: key(),
      });

      expect(kept).toMatchObject({ amountDue: 0, total: 0, lines: [] });
      expect(keptApplied.subscription.subscription).toMatchObject({
        status: 'trialing',
        quantity: 2,
        trialEnd,
        currentPeriodEnd: new Date(trialing.currentPeriodEnd),
      });

      const ended = await provider.applyChange({
        ...terms(await stored(subscription.id), now, { quantity: 2, trialEnd: 'now' }),
        idempotencyKey: key(),
      });

      expect(ended.subscription.subscription).toMatchObject({
        status: 'active',
        trialEnd: now,
        currentPeriodStart: now,
        currentPeriodEnd: new Date(now.getTime() + 30 * DAY_MS),
      });
      // Both invoices can share a millisecond, so they are not told apart by their order.
      expect((await invoicesOf(subscription)).map(({ amount, status }) => ({ amount, status }))).toEqual(
        expect.arrayContaining([
          { amount: 0, status: 'paid' },
          { amount: 3000, status: 'paid' },
        ]),
      );
    });

    it('should refuse to keep a trial the subscription does not have', async () => {
      const { subscription, now } = await subscribe();

      await expect(
        provider.applyChange({
          ...terms(subscription, now, { quantity: 2, trialEnd: new Date(now.getTime() + DAY_MS) }),
          idempotencyKey: key(),
        }),
      ).rejects.toThrow('This subscription has no trial to keep');
      expect(await stored(subscription.id)).toEqual(subscription);
    });
  });

  describe('scheduleChange and releaseSchedule', () => {
    const schedule = (
      subscription: SandboxSubscription,
      idempotencyKey = key(),
      changeId = `chg_${idempotencyKey}`,
    ) =>
      provider.scheduleChange({
        mode: 'live',
        subscriptionId: subscription.id,
        currentPriceId: subscription.priceId,
        currentQuantity: subscription.quantity,
        priceId: 'price_sandbox_monthly',
        quantity: 1,
        effectiveAt: new Date(subscription.currentPeriodEnd),
        changeId,
        idempotencyKey,
      });

    it('should keep the new terms on the subscription until released, once per key', async () => {
      const { subscription } = await subscribe(3);
      const idempotencyKey = key();

      const scheduled = await schedule(subscription, idempotencyKey);
      const again = await schedule(subscription, idempotencyKey);

      expect(scheduled.scheduleId).toMatch(/^sub_sched_sbx_[0-9a-f]{24}$/);
      expect(again.scheduleId).toBe(scheduled.scheduleId);
      expect(scheduled.subscription.subscription).toMatchObject({
        scheduleId: scheduled.scheduleId,
        quantity: 3,
      });
      expect((await stored(subscription.id)).schedule).toEqual({
        id: scheduled.scheduleId,
        priceId: 'price_sandbox_monthly',
        quantity: 1,
        effectiveAt: subscription.currentPeriodEnd,
        changeId: `chg_${idempotencyKey}`,
      });
      await expect(schedule(subscription)).rejects.toThrow(
        'This subscription already has a scheduled change',
      );

      const released = await provider.releaseSchedule('live', scheduled.scheduleId, key());

      expect(released?.subscription).toMatchObject({ scheduleId: null, quantity: 3 });
      expect((await stored(subscription.id)).schedule).toBeNull();
      expect((await provider.releaseSchedule('live', scheduled.scheduleId, key()))?.subscription.id).toBe(
        subscription.id,
      );
      expect(
        await provider.releaseSchedule('live', 'sub_sched_sbx_000000000000000000000000', key()),
      ).toBeNull();
    });

    it('should make the scheduled change happen at the renewal the portal advances to', async () => {
      const { subscription } = await subscribe(3);
      const scheduled = await schedule(subscription);
      const portal = await openPortal();
      const before = await events();
      const portalPage = await sut.http().get(`/sandbox/portal/${portal.id}`).expect(200);
      expect(portalPage.text).toContain('Scheduled change');
      const action = /action="([^"]+\/renew)"/.exec(portalPage.text)![1];

      const renewing = Date.now();
      await sut.http().post(action).expect(303);

      const after = await stored(subscription.id);
      expect(after).toMatchObject({ quantity: 1, schedule: null, status: 'active' });
      const start = new Date(after.currentPeriodStart!).getTime();
      expect(start).toBeGreaterThanOrEqual(renewing);
      expect(new Date(after.currentPeriodEnd).getTime() - start).toBe(30 * DAY_MS);
      expect((await invoicesOf(subscription))[0]).toMatchObject({ amount: 1500, status: 'paid' });
      expect(await newEventTypes(before)).toEqual([
        'customer.subscription.updated',
        'invoice.paid',
        'subscription_schedule.completed',
      ]);
      expect(await recorded(subscription.id)).toMatchObject({
        quantity: 1,
        status: 'active',
        scheduleId: null,
      });
      expect(scheduled.scheduleId).toMatch(/^sub_sched_sbx_/);
    });

    it('should end a trial at the renewal, and on the portal button that ends it now', async () => {
      const { subscription } = await subscribe();
      await edit(subscription.id, (s) => ({ ...s, status: 'trialing', trialEnd: s.currentPeriodEnd }));
      const portal = await openPortal();
      const page = await sut.http().get(`/sandbox/portal/${portal.id}`).expect(200);
      const endTrial = /action="([^"]+\/end-trial)"/.exec(page.text)![1];
      const before = await events();

      await sut.http().post(endTrial).expect(303);

      expect(await stored(subscription.id)).toMatchObject({ status: 'active' });
      expect(await newEventTypes(before)).toEqual(['customer.subscription.updated', 'invoice.paid']);
      expect(await recorded(subscription.id)).toMatchObject({ status: 'active' });
      await sut.http().post(endTrial).expect(400);
    });
  });

  describe('changeCancellation', () => {
    it('should end at period end, resume, and end at the renewal', async () => {
      const { subscription } = await subscribe();

      const ending = await provider.changeCancellation('live', subscription.id, 'period_end', key());
      const resumed = await provider.changeCancellation('live', subscription.id, 'resume', key());
      await provider.changeCancellation('live', subscription.id, 'period_end', key());

      expect(ending.subscription).toMatchObject({ cancelAtPeriodEnd: true, status: 'active' });
      expect(resumed.subscription).toMatchObject({ cancelAtPeriodEnd: false, status: 'active' });
      const portal = await openPortal();
      const before = await events();
      await sut
        .http()
        .post(`/sandbox/portal/${portal.id}/subscriptions/${subscription.id}/renew`)
        .expect(303);
      expect(await stored(subscription.id)).toMatchObject({ status: 'canceled' });
      expect(await newEventTypes(before)).toEqual(['customer.subscription.deleted']);
      expect(await recorded(subscription.id)).toMatchObject({ status: 'canceled' });
      expect(await invoicesOf(subscription)).toHaveLength(1);
      await sut
        .http()
        .post(`/sandbox/portal/${portal.id}/subscriptions/${subscription.id}/renew`)
        .expect(400);
    });

    it('should end at once, and then refuse anything but ending', async () => {
      const { subscription } = await subscribe();

      const ended = await provider.changeCancellation('live', subscription.id, 'now', key());
      const again = await provider.changeCancellation('live', subscription.id, 'now', key());

      expect(ended.subscription.status).toBe('canceled');
      expect(again.subscription.status).toBe('canceled');
      await expect(provider.changeCancellation('live', subscription.id, 'resume', key())).rejects.toThrow(
        'This subscription has ended',
      );
      await expect(provider.previewChange(terms(subscription, new Date(), { quantity: 2 }))).rejects.toThrow(
        'This subscription has ended',
      );
    });
  });

  it('should point the change confirmation at the sandbox change page', async () => {
    const { subscription } = await subscribe();

    const page = await provider.createChangeConfirmPage({
      mode: 'live',
      changeId: 'chg_123',
      customerId: subscription.customerId,
      subscriptionId: subscription.id,
      itemId: subscription.id,
      priceId: 'price_sandbox_yearly',
      quantity: 1,
      returnUrl: `${APP_ORIGIN}/settings`,
      idempotencyKey: key(),
    });

    expect(page).toEqual({ id: 'chg_123', url: 'http://localhost:3000/sandbox/change/chg_123' });
  });
});
