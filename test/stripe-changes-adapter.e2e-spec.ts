import { ChangeNotConfirmableError, ProviderError } from '../src/common/errors/domain-errors';
import { ERROR_STATUS } from '../src/common/errors/error-code';
import {
  InvoiceEstimate,
  InvoiceLine,
  PaymentProvider,
  SubscriptionChangeTerms,
} from '../src/payments/payment-provider';
import { periodEndAfter } from './support/fake-stripe';
import { useStripeApp } from './support/stripe-app';

const DAY = 86_400;
const MONTHLY = 'price_pro_monthly';
const YEARLY = 'price_pro_yearly';
const TEAM = 'price_team_monthly';

const at = (seconds: number) => new Date(seconds * 1000);

/** The Stripe adapter's subscription changes, against the fake Stripe through the real SDK. */
describe('Stripe adapter: subscription changes', () => {
  const { fake, sut } = useStripeApp({
    prices: [
      { id: MONTHLY, unitAmount: 1500, interval: 'month', productName: 'Pro' },
      { id: YEARLY, unitAmount: 15_000, interval: 'year', productName: 'Pro' },
      { id: TEAM, unitAmount: 3000, interval: 'month', productName: 'Team' },
    ],
    clearRequests: true,
  });
  const provider = () => sut.app.get(PaymentProvider);

  beforeEach(() => {
    fake.clearFaults();
    fake.failPayments.clear();
    fake.portalPrices = null;
  });

  /**
   * A customer with a subscription on day 10 of a 30-day period: `now` (whole seconds) is the
   * proration date the tests change at.
   */
  function subscribed(
    options: { priceId?: string; quantity?: number; status?: string; trialEnd?: number } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    const start = now - 10 * DAY;
    const customer = fake.addCustomer({ email: 'payer@example.com' }).id;
    const subscription = fake.putSubscription({
      customer,
      status: options.status ?? 'active',
      priceId: options.priceId ?? MONTHLY,
      quantity: options.quantity ?? 1,
      trialEnd: options.trialEnd ?? null,
      currentPeriodStart: start,
      currentPeriodEnd: start + 30 * DAY,
    });
    const itemId = (subscription.items as { data: Array<{ id: string }> }).data[0].id;
    const terms = (change: Partial<SubscriptionChangeTerms>): SubscriptionChangeTerms => ({
      mode: 'live',
      customerId: customer,
      subscriptionId: subscription.id,
      itemId,
      priceId: options.priceId ?? MONTHLY,
      quantity: options.quantity ?? 1,
      prorationDate: at(now),
      trialEnd: null,
      ...change,
    });
    return { now, start, end: start + 30 * DAY, customer, subscriptionId: subscription.id, itemId, terms };
  }

  /** The invoice the fake made for the subscription's last update, read as the adapter reads one. */
  function latestInvoice(
    subscriptionId: string,
  ): Omit<InvoiceEstimate, 'date'> & { url: string; status: string } {
    const invoice = fake.invoices.get(String(fake.subscriptions.get(subscriptionId)?.latest_invoice));
    if (!invoice) throw new Error(`no invoice for ${subscriptionId}`);
    const lines = (invoice.lines as { data: Array<Record<string, unknown>> }).data;
    return {
      amountDue: invoice.amount_due as number,
      total: invoice.total as number,
      currency: invoice.currency as string,
      url: invoice.hosted_invoice_url as string,
      status: invoice.status as string,
      lines: lines.map((line): InvoiceLine => ({
        description: line.description as string,
        amount: line.amount as number,
        quantity: line.quantity as number,
        proration: (line.parent as { subscription_item_details: { proration: boolean } })
          .subscription_item_details.proration,
        period: {
          start: at((line.period as { start: number }).start),
          end: at((line.period as { end: number }).end),
        },
      })),
    };
  }

  describe('previewChange', () => {
    it('should credit the unused month and charge the full year for monthly → yearly on day 10', async () => {
      const { now, end, terms } = subscribed();

      const estimate = await provider().previewChange(terms({ priceId: YEARLY }));

      expect(estimate).toEqual({
        amountDue: 14_000,
        total: 14_000,
        currency: 'usd',
        date: expect.any(Date),
        lines: [
          {
            description: expect.stringMatching(/^Unused time on 1 × Pro after /),
            amount: -1000,
            quantity: 1,
            proration: true,
            period: { start: at(now), end: at(end) },
          },
          {
            description: '1 × Pro (at $150.00 / year)',
            amount: 15_000,
            quantity: 1,
            proration: false,
            period: { start: at(now), end: at(periodEndAfter(now, 'year')) },
          },
        ],
      });
      expect(Math.abs(estimate.date.getTime() - Date.now())).toBeLessThan(5_000);
    });

    it('should prorate 3 → 5 seats as a credit for the three and a charge for the five', async () => {
      const { now, terms } = subscribed({ quantity: 3 });

      const estimate = await provider().previewChange(terms({ quantity: 5 }));

      expect(
        estimate.lines.map(({ description, amount, proration }) => ({ description, amount, proration })),
      ).toEqual([
        {
          description: expect.stringMatching(/^Unused time on 3 × Pro after /),
          amount: -3000,
          proration: true,
        },
        {
          description: expect.stringMatching(/^Remaining time on 5 × Pro after /),
          amount: 5000,
          proration: true,
        },
      ]);
      expect(estimate).toMatchObject({ amountDue: 2000, total: 2000 });
      const [preview] = fake.received('POST', '/v1/invoices/create_preview');
      expect(preview.body).toMatchObject({
        subscription_details: { proration_behavior: 'always_invoice', proration_date: String(now) },
      });
      // Stripe refuses billing_cycle_anchor=now with proration_date, and nothing asked to end a trial.
      expect(preview.body.subscription_details).not.toHaveProperty('billing_cycle_anchor');
      expect(preview.body.subscription_details).not.toHaveProperty('trial_end');
    });

    it('should report a downgrade that credits more than it charges with a negative total and nothing due', async () => {
      const { terms } = subscribed({ priceId: TEAM, quantity: 2 });

      const estimate = await provider().previewChange(terms({ priceId: MONTHLY, quantity: 1 }));

      expect(estimate).toMatchObject({ amountDue: 0, total: -4000 + 1000 });
    });

    it('should keep a running trial free, and charge the full price when the change ends it', async () => {
      const trialEnd = Math.floor(Date.now() / 1000) + 5 * DAY;
      const { now, terms } = subscribed({ status: 'trialing', trialEnd });

      const kept = await provider().previewChange(terms({ quantity: 4, trialEnd: at(trialEnd) }));
      const ended = await provider().previewChange(terms({ quantity: 4, trialEnd: 'now' }));

      expect(kept.amountDue).toBe(0);
      expect(kept.lines.map((line) => line.amount)).toEqual([0, 0]);
      expect(ended).toMatchObject({
        amountDue: 6000,
        lines: [
          {
            amount: 6000,
            proration: false,
            period: { start: at(now), end: at(periodEndAfter(now, 'month')) },
          },
        ],
      });
      const [keptRequest, endedRequest] = fake.received('POST', '/v1/invoices/create_preview');
      expect(keptRequest.body).toMatchObject({ subscription_details: { trial_end: String(trialEnd) } });
      expect(endedRequest.body).toMatchObject({ subscription_details: { trial_end: 'now' } });
    });

    it('should fail on a Stripe refusal instead of quoting nothing', async () => {
      const { terms } = subscribed();
      fake.injectFault({ kind: 'status', status: 400 }, { path: /^\/v1\/invoices\/create_preview$/ });

      await expect(provider().previewChange(terms({ priceId: YEARLY }))).rejects.toBeInstanceOf(
        ProviderError,
      );
    });
  });

  describe('applyChange', () => {
    it('should charge exactly the invoice the preview showed, for the same proration date', async () => {
      const { now, subscriptionId, terms } = subscribed({ quantity: 3 });
      const change = terms({ quantity: 5 });
      const preview = await provider().previewChange(change);

      const applied = await provider().applyChange({ ...change, idempotencyKey: 'chg_1:apply' });

      expect(applied).toMatchObject({
        outcome: 'applied',
        invoiceUrl: null,
        subscription: {
          subscription: { id: subscriptionId, priceId: MONTHLY, quantity: 5 },
          asOf: expect.any(Date),
        },
      });
      const invoice = latestInvoice(subscriptionId);
      expect(invoice).toMatchObject({ status: 'paid', amountDue: preview.amountDue, total: preview.total });
      expect(invoice.lines).toEqual(preview.lines);
      const [update] = fake.received('POST', `/v1/subscriptions/${subscriptionId}`);
      expect(update.idempotencyKey).toBe('chg_1:apply');
      expect(update.body).toMatchObject({
        items: [{ quantity: '5', price: MONTHLY }],
        proration_behavior: 'always_invoice',
        proration_date: String(now),
        payment_behavior: 'pending_if_incomplete',
        expand: ['latest_invoice'],
      });
      expect(update.body).not.toHaveProperty('billing_cycle_anchor');
    });

    it('should restart the period on an interval change, and change nothing more when repeated', async () => {
      const { now, subscriptionId, terms } = subscribed();
      const change = { ...terms({ priceId: YEARLY }), idempotencyKey: 'chg_2:apply' };

      const first = await provider().applyChange(change);
      const invoices = fake.invoices.size;
      const repeated = await provider().applyChange(change);

      expect(first.subscription.subscription).toMatchObject({
        priceId: YEARLY,
        currentPeriodStart: at(now),
        currentPeriodEnd: at(periodEndAfter(now, 'year')),
      });
      expect(latestInvoice(subscriptionId).amountDue).toBe(14_000);
      expect(repeated.subscription.subscription).toEqual(first.subscription.subscription);
      expect(fake.invoices.size).toBe(invoices);
    });

    it('should report a declined charge as payment_failed, with the invoice to pay, the old items kept', async () => {
      const { customer, subscriptionId, terms } = subscribed();
      fake.failPayments.add(customer);

      const applied = await provider().applyChange({
        ...terms({ priceId: TEAM }),
        idempotencyKey: 'chg_3:apply',
      });

      const invoice = latestInvoice(subscriptionId);
      expect(invoice.status).toBe('open');
      expect(applied).toMatchObject({
        outcome: 'payment_failed',
        invoiceUrl: invoice.url,
        subscription: { subscription: { priceId: MONTHLY, pendingUpdateExpiresAt: expect.any(Date) } },
      });
      expect(invoice.url).toMatch(/^https:\/\//);
    });
  });

  describe('scheduleChange', () => {
    it('should hold the current terms until the period ends, then the new ones, without iterations', async () => {
      const { start, end, subscriptionId } = subscribed({ priceId: TEAM, quantity: 3 });

      const scheduled = await provider().scheduleChange({
        mode: 'live',
        subscriptionId,
        currentPriceId: TEAM,
        currentQuantity: 3,
        priceId: MONTHLY,
        quantity: 2,
        effectiveAt: at(end),
        changeId: 'chg_4',
        idempotencyKey: 'chg_4:schedule',
      });

      expect(scheduled.subscription.subscription).toMatchObject({
        scheduleId: scheduled.scheduleId,
        priceId: TEAM,
        quantity: 3,
      });
      expect(fake.schedules.get(scheduled.scheduleId)).toMatchObject({
        status: 'active',
        end_behavior: 'release',
        metadata: { changeId: 'chg_4', source: 'billing-sessions' },
        phases: [
          { start_date: start, end_date: end, items: [{ price: TEAM, quantity: 3 }] },
          { start_date: end, items: [{ price: MONTHLY, quantity: 2 }], proration_behavior: 'none' },
        ],
      });
      const [create] = fake.received('POST', '/v1/subscription_schedules');
      const [update] = fake.received('POST', `/v1/subscription_schedules/${scheduled.scheduleId}`);
      expect(create).toMatchObject({
        idempotencyKey: 'chg_4:schedule:create',
        body: { from_subscription: subscriptionId },
      });
      expect(update.idempotencyKey).toBe('chg_4:schedule:phases');
      for (const phase of update.body.phases as Array<Record<string, unknown>>) {
        expect(phase).not.toHaveProperty('iterations');
      }

      const renewed = fake.advanceToPeriodEnd(subscriptionId);
      expect(renewed.items).toMatchObject({
        data: [{ price: { id: MONTHLY }, quantity: 2, current_period_start: end }],
      });
    });

    it('should release the schedule again when its phases cannot be set', async () => {
      const { end, subscriptionId } = subscribed();
      fake.injectFault(
        { kind: 'status', status: 400 },
        { method: 'POST', path: /^\/v1\/subscription_schedules\/[^/]+$/ },
      );

      const attempt = provider().scheduleChange({
        mode: 'live',
        subscriptionId,
        currentPriceId: MONTHLY,
        currentQuantity: 1,
        priceId: TEAM,
        quantity: 1,
        effectiveAt: at(end),
        changeId: 'chg_5',
        idempotencyKey: 'chg_5:schedule',
      });

      await expect(attempt).rejects.toBeInstanceOf(ProviderError);
      const [schedule] = [...fake.schedules.values()].filter(
        (s) => s.released_subscription === subscriptionId,
      );
      expect(schedule).toMatchObject({ status: 'released' });
      expect(fake.received('POST', `/v1/subscription_schedules/${schedule.id}/release`)).toHaveLength(1);
      expect(fake.subscriptions.get(subscriptionId)?.schedule).toBeNull();
    });
  });

  describe('releaseSchedule', () => {
    async function scheduled() {
      const setup = subscribed({ priceId: TEAM });
      const { scheduleId } = await provider().scheduleChange({
        mode: 'live',
        subscriptionId: setup.subscriptionId,
        currentPriceId: TEAM,
        currentQuantity: 1,
        priceId: MONTHLY,
        quantity: 1,
        effectiveAt: at(setup.end),
        changeId: 'chg_6',
        idempotencyKey: `chg_6:${setup.subscriptionId}`,
      });
      return { ...setup, scheduleId };
    }

    it('should let the subscription go, keeping its terms, and count a second release as done', async () => {
      const { subscriptionId, scheduleId } = await scheduled();

      const released = await provider().releaseSchedule('live', scheduleId, 'chg_6:release');
      const again = await provider().releaseSchedule('live', scheduleId, 'chg_6:release-again');

      expect(released?.subscription).toMatchObject({ id: subscriptionId, scheduleId: null, priceId: TEAM });
      expect(again?.subscription).toMatchObject({ id: subscriptionId, scheduleId: null });
      expect(fake.schedules.get(scheduleId)?.status).toBe('released');
      expect(
        fake.received('POST', `/v1/subscription_schedules/${scheduleId}/release`)[0].idempotencyKey,
      ).toBe('chg_6:release');
      expect(fake.advanceToPeriodEnd(subscriptionId).items).toMatchObject({
        data: [{ price: { id: TEAM } }],
      });
    });

    it('should answer null for a schedule Stripe does not know', async () => {
      await expect(provider().releaseSchedule('live', 'sub_sched_unknown', 'k')).resolves.toBeNull();
    });
  });

  describe('changeCancellation', () => {
    it('should end a subscription at period end, and take that back', async () => {
      const { subscriptionId, end } = subscribed();

      const ending = await provider().changeCancellation('live', subscriptionId, 'period_end', 'cancel-1');
      const resumed = await provider().changeCancellation('live', subscriptionId, 'resume', 'resume-1');

      expect(ending.subscription).toMatchObject({
        cancelAtPeriodEnd: true,
        cancelAt: at(end),
        status: 'active',
      });
      expect(resumed.subscription).toMatchObject({
        cancelAtPeriodEnd: false,
        cancelAt: null,
        status: 'active',
      });
      const [cancel, resume] = fake.received('POST', `/v1/subscriptions/${subscriptionId}`);
      expect(cancel).toMatchObject({ idempotencyKey: 'cancel-1', body: { cancel_at_period_end: 'true' } });
      // Stripe says when the subscription ends (cancel_at): that is the one to clear, alone.
      expect(resume).toMatchObject({ idempotencyKey: 'resume-1', body: { cancel_at: '' } });
      expect(resume.body).not.toHaveProperty('cancel_at_period_end');
    });

    it('should resume a subscription set to end at period end without a cancel time by clearing that flag', async () => {
      const { subscriptionId } = subscribed();
      const subscription = fake.subscriptions.get(subscriptionId)!;
      Object.assign(subscription, { cancel_at_period_end: true, cancel_at: null });

      const resumed = await provider().changeCancellation('live', subscriptionId, 'resume', 'resume-2');

      expect(resumed.subscription.cancelAtPeriodEnd).toBe(false);
      const [resume] = fake.received('POST', `/v1/subscriptions/${subscriptionId}`);
      expect(resume.body).toEqual({ cancel_at_period_end: 'false' });
    });

    it('should end a subscription at once', async () => {
      const { subscriptionId } = subscribed();

      const canceled = await provider().changeCancellation('live', subscriptionId, 'now', 'cancel-now-1');

      expect(canceled.subscription.status).toBe('canceled');
      expect(fake.received('DELETE', `/v1/subscriptions/${subscriptionId}`)[0].idempotencyKey).toBe(
        'cancel-now-1',
      );
    });

    it('should let a subscription set to end at period end end there', async () => {
      const { subscriptionId } = subscribed();
      await provider().changeCancellation('live', subscriptionId, 'period_end', 'cancel-2');

      expect(fake.advanceToPeriodEnd(subscriptionId).status).toBe('canceled');
    });
  });

  describe('createChangeConfirmPage', () => {
    const page = (setup: ReturnType<typeof subscribed>, priceId: string) => ({
      mode: 'live' as const,
      changeId: 'chg_7',
      customerId: setup.customer,
      subscriptionId: setup.subscriptionId,
      itemId: setup.itemId,
      priceId,
      quantity: 2,
      returnUrl: 'https://app.example.com/billing',
      idempotencyKey: `chg_7:confirm:${setup.subscriptionId}`,
    });

    it('should deep-link to the portal page that confirms this change, returning to the app', async () => {
      const setup = subscribed();

      const session = await provider().createChangeConfirmPage(page(setup, YEARLY));

      expect(session.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
      expect(fake.portalSessions.get(session.id)?.flow).toEqual({
        type: 'subscription_update_confirm',
        subscription_update_confirm: {
          subscription: setup.subscriptionId,
          items: [{ id: setup.itemId, price: YEARLY, quantity: '2' }],
        },
        after_completion: { type: 'redirect', redirect: { return_url: 'https://app.example.com/billing' } },
      });
      expect(fake.received('POST', '/v1/billing_portal/sessions')[0].idempotencyKey).toBe(
        `chg_7:confirm:${setup.subscriptionId}`,
      );
    });

    it.each([
      ['does not offer the price', new Set([MONTHLY])],
      ['has subscription updates off', new Set<string>()],
    ])('should answer that the page cannot confirm it when the portal %s', async (_label, prices) => {
      const setup = subscribed();
      fake.portalPrices = prices;

      const attempt = provider().createChangeConfirmPage(page(setup, YEARLY));

      await expect(attempt).rejects.toBeInstanceOf(ChangeNotConfirmableError);
      const error = (await attempt.catch((caught: unknown) => caught)) as ChangeNotConfirmableError;
      expect(error.code).toBe('HOSTED_CONFIRM_UNAVAILABLE');
      expect(ERROR_STATUS[error.code]).toBe(409);
      expect(error.details?.reason).toMatch(/portal configuration/);
    });
  });
});
