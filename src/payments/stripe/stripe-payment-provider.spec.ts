import Stripe from 'stripe';
import { loadConfig } from '../../config/load-config';
import { InvalidSignatureError } from '../../common/errors/domain-errors';
import { toPaymentEvent } from './stripe-events';
import { checkoutExpiry, StripePaymentProvider } from './stripe-payment-provider';

const SECRET = 'whsec_unit_test_secret';
const TEST_MODE_SECRET = 'whsec_unit_test_mode_secret';

const subscriptionObject = (overrides: Record<string, unknown> = {}) => ({
  id: 'sub_123',
  object: 'subscription',
  customer: 'cus_123',
  status: 'trialing',
  trial_end: 1_800_000_000,
  cancel_at_period_end: false,
  metadata: { accountId: 'acc-1' },
  items: {
    object: 'list',
    data: [
      {
        id: 'si_1',
        quantity: 2,
        current_period_start: 1_797_408_000,
        current_period_end: 1_800_086_400,
        price: { id: 'price_1' },
      },
    ],
  },
  ...overrides,
});

const event = (type: string, object: Record<string, unknown>) =>
  ({ id: 'evt_1', type, created: 1_700_000_000, data: { object } }) as unknown as Stripe.Event;

describe(StripePaymentProvider.name, () => {
  const stripe = new Stripe('sk_test_unit');
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    STRIPE_SECRET_KEY: 'sk_test_unit',
    STRIPE_WEBHOOK_SECRET: SECRET,
    SUBSCRIPTION_PRICE_ID: 'price_1',
  });
  const sut = new StripePaymentProvider({ live: stripe }, config);

  describe('parseWebhook', () => {
    const payload = JSON.stringify(event('customer.subscription.updated', subscriptionObject()));

    it('should accept a delivery signed with the endpoint secret', () => {
      const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });

      const parsed = sut.parseWebhook(Buffer.from(payload), signature);

      expect(parsed).toMatchObject({ id: 'evt_1', kind: 'subscription', mode: 'live' });
    });

    it.each([
      ['another secret', () => stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' })],
      [
        'a timestamp six minutes old',
        () =>
          stripe.webhooks.generateTestHeaderString({
            payload,
            secret: SECRET,
            timestamp: Date.now() / 1000 - 360,
          }),
      ],
      ['no signature at all', () => undefined],
    ])('should refuse a delivery with %s', (_label, sign) => {
      expect(() => sut.parseWebhook(Buffer.from(payload), sign())).toThrow(InvalidSignatureError);
    });

    it('should verify a delivery signed with the test-mode secret as a test-mode event', () => {
      const withTestMode = new StripePaymentProvider(
        { live: stripe, test: new Stripe('sk_test_unitTestMode') },
        loadConfig({
          DATABASE_URL: 'sqlite::memory:',
          STRIPE_SECRET_KEY: 'sk_test_unit',
          STRIPE_WEBHOOK_SECRET: SECRET,
          STRIPE_TEST_SECRET_KEY: 'sk_test_unitTestMode',
          STRIPE_TEST_WEBHOOK_SECRET: TEST_MODE_SECRET,
          SUBSCRIPTION_PRICE_ID: 'price_1',
        }),
      );
      const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_MODE_SECRET });

      expect(withTestMode.parseWebhook(Buffer.from(payload), signature)).toMatchObject({ mode: 'test' });
      expect(() => sut.parseWebhook(Buffer.from(payload), signature)).toThrow(InvalidSignatureError);
    });

    it('should refuse a body changed after signing', () => {
      const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });

      expect(() => sut.parseWebhook(Buffer.from(payload.replace('trialing', 'active')), signature)).toThrow(
        InvalidSignatureError,
      );
    });
  });

  describe('toPaymentEvent', () => {
    it('should read a subscription event into the service’s terms', () => {
      const parsed = toPaymentEvent(event('customer.subscription.created', subscriptionObject()), 'live');

      expect(parsed).toEqual({
        id: 'evt_1',
        type: 'customer.subscription.created',
        created: new Date(1_700_000_000_000),
        mode: 'live',
        kind: 'subscription',
        subscription: {
          id: 'sub_123',
          customerId: 'cus_123',
          status: 'trialing',
          itemId: 'si_1',
          itemCount: 1,
          priceId: 'price_1',
          quantity: 2,
          trialEnd: new Date(1_800_000_000_000),
          currentPeriodStart: new Date(1_797_408_000_000),
          currentPeriodEnd: new Date(1_800_086_400_000),
          cancelAtPeriodEnd: false,
          cancelAt: null,
          scheduleId: null,
          pendingUpdateExpiresAt: null,
          accountId: 'acc-1',
        },
      });
    });

    it('should read the change fields: a cancel time, the controlling schedule, a pending update', () => {
      const parsed = toPaymentEvent(
        event(
          'customer.subscription.updated',
          subscriptionObject({
            cancel_at: 1_800_086_400,
            schedule: 'sub_sched_1',
            pending_update: { expires_at: 1_800_003_600, subscription_items: [] },
          }),
        ),
        'live',
      );

      expect(parsed).toMatchObject({
        kind: 'subscription',
        subscription: {
          cancelAt: new Date(1_800_086_400_000),
          scheduleId: 'sub_sched_1',
          pendingUpdateExpiresAt: new Date(1_800_003_600_000),
        },
      });
    });

    it.each(['customer.subscription.pending_update_applied', 'customer.subscription.pending_update_expired'])(
      'should read %s as a subscription event',
      (type) => {
        const parsed = toPaymentEvent(event(type, subscriptionObject()), 'live');

        expect(parsed).toMatchObject({ kind: 'subscription', subscription: { id: 'sub_123' } });
      },
    );

    describe('subscription schedules', () => {
      const scheduleObject = (overrides: Record<string, unknown> = {}) => ({
        id: 'sub_sched_1',
        object: 'subscription_schedule',
        status: 'active',
        subscription: 'sub_123',
        released_subscription: null,
        metadata: { source: 'billing-sessions', changeId: 'chg_1' },
        ...overrides,
      });

      it.each([
        ['created', 'not_started'],
        ['updated', 'active'],
        ['released', 'released'],
        ['canceled', 'canceled'],
        ['completed', 'completed'],
        ['aborted', 'aborted'],
        ['expiring', 'active'],
      ])('should read subscription_schedule.%s (status %s) as a schedule event', (type, status) => {
        const parsed = toPaymentEvent(
          event(`subscription_schedule.${type}`, scheduleObject({ status })),
          'test',
        );

        expect(parsed).toMatchObject({
          kind: 'schedule',
          mode: 'test',
          schedule: {
            id: 'sub_sched_1',
            subscriptionId: 'sub_123',
            status: status === 'aborted' ? 'canceled' : status,
            changeId: 'chg_1',
          },
        });
      });

      it('should find the subscription a released schedule let go of', () => {
        const parsed = toPaymentEvent(
          event(
            'subscription_schedule.released',
            scheduleObject({ status: 'released', subscription: null, released_subscription: 'sub_9' }),
          ),
          'live',
        );

        expect(parsed).toMatchObject({ kind: 'schedule', schedule: { subscriptionId: 'sub_9' } });
      });

      it.each([
        ['made elsewhere', { source: 'dashboard', changeId: 'chg_1' }],
        ['without metadata', {}],
      ])('should give a schedule %s no change id', (_label, metadata) => {
        const parsed = toPaymentEvent(
          event('subscription_schedule.updated', scheduleObject({ metadata })),
          'live',
        );

        expect(parsed).toMatchObject({ kind: 'schedule', schedule: { changeId: null } });
      });

      it.each([
        ['an unknown status', { status: 'paused_forever' }],
        ['no id', { id: undefined }],
        [
          'a change id too long to keep',
          { metadata: { source: 'billing-sessions', changeId: 'c'.repeat(256) } },
        ],
      ])('should reject a schedule with %s', (_label, overrides) => {
        const parsed = toPaymentEvent(
          event('subscription_schedule.updated', scheduleObject(overrides)),
          'live',
        );

        expect(parsed).toMatchObject({ kind: 'rejected' });
      });
    });

    it.each(['past_due', 'incomplete_expired', 'paused'])('should keep Stripe’s status %s', (status) => {
      const parsed = toPaymentEvent(
        event('customer.subscription.updated', subscriptionObject({ status })),
        'live',
      );

      expect(parsed).toMatchObject({ kind: 'subscription', subscription: { status } });
    });

    it.each(['toString', 'a_status_stripe_never_sent'])(
      'should reject a subscription whose status %s is none of the service’s',
      (status) => {
        const parsed = toPaymentEvent(
          event('customer.subscription.updated', subscriptionObject({ status })),
          'live',
        );

        expect(parsed).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/status/) });
      },
    );

    it('should find the subscription of an invoice in its parent (and in the older field)', () => {
      const current = toPaymentEvent(
        event('invoice.paid', { parent: { subscription_details: { subscription: 'sub_new' } } }),
        'test',
      );
      const older = toPaymentEvent(event('invoice.payment_failed', { subscription: 'sub_old' }), 'live');

      expect(current).toMatchObject({ kind: 'invoice', subscriptionId: 'sub_new', mode: 'test' });
      expect(older).toMatchObject({ kind: 'invoice', subscriptionId: 'sub_old' });
    });

    it('should read checkout sessions, and ignore the event types the service does not use', () => {
      const completed = toPaymentEvent(
        event('checkout.session.completed', {
          id: 'cs_1',
          mode: 'subscription',
          customer: 'cus_1',
          subscription: 'sub_1',
          client_reference_id: 'acc-9',
          metadata: {},
        }),
        'live',
      );

      expect(completed).toMatchObject({
        kind: 'checkout.completed',
        session: { id: 'cs_1', customerId: 'cus_1', subscriptionId: 'sub_1', accountId: 'acc-9' },
      });
      expect(toPaymentEvent(event('customer.created', { id: 'cus_1' }), 'live').kind).toBe('ignored');
    });
  });
});

describe(checkoutExpiry.name, () => {
  const now = Date.UTC(2026, 0, 1);

  it('should keep a 30-minute or 24-hour expiry inside Stripe’s window, measured from the call', () => {
    const thirtyMinutesFromEarlier = new Date(now - 5_000 + 30 * 60_000);

    expect(checkoutExpiry(thirtyMinutesFromEarlier, now)).toBe(now / 1000 + 30 * 60 + 30);
    expect(checkoutExpiry(new Date(now + 24 * 3_600_000), now)).toBe(now / 1000 + 24 * 3600 - 30);
    expect(checkoutExpiry(new Date(now + 2 * 3_600_000), now)).toBe(now / 1000 + 2 * 3600);
  });
});
