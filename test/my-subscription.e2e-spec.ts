import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, signedEvent } from './support/test-app';

/**
 * GET /api/subscriptions/me when an account has more than one subscription (made in the
 * provider's dashboard, or with allowExistingSubscription): one is shown by a documented rule (a
 * live one before any other, then the most recently recorded) and the others are counted.
 */

const MONTHLY = 'price_pro_monthly';
const YEARLY = 'price_pro_yearly';

describe('GET /api/subscriptions/me with several subscriptions', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [
      { id: MONTHLY, type: 'recurring' },
      { id: YEARLY, type: 'recurring', interval: 'year' },
    ],
    perTest: true,
  });

  const checkout = () =>
    sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId: MONTHLY, successUrl: `${APP_ORIGIN}/ok`, cancelUrl: `${APP_ORIGIN}/pricing` });

  it('should show one live subscription by the documented rule and count the others', async () => {
    const deliver = async (type: string, object: Record<string, unknown>) => {
      const event = signedEvent(type, object);
      await sut
        .http()
        .post('/api/webhooks/stripe')
        .set('stripe-signature', event.signature)
        .set('content-type', 'application/json')
        .send(event.payload)
        .expect(200);
    };
    const me = async () =>
      (await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200)).body
        .subscription;
    const started = await checkout().expect(200);
    const { session, subscription: first } = fake.completeCheckout(started.body.data.sessionId, {
      status: 'active',
    });
    await deliver('checkout.session.completed', session);
    expect(await me()).toMatchObject({ id: first.id, otherLiveSubscriptions: 0 });

    // A second one made in the provider's dashboard, recorded later: both live, the newer shown.
    const second = fake.putSubscription({
      customer: String(session.customer),
      status: 'trialing',
      priceId: YEARLY,
    });
    await deliver('customer.subscription.created', second);
    expect(await me()).toMatchObject({ id: second.id, status: 'trialing', otherLiveSubscriptions: 1 });

    // A canceled one, however recent, does not hide a live one.
    const third = fake.putSubscription({
      customer: String(session.customer),
      status: 'canceled',
      priceId: YEARLY,
    });
    await deliver('customer.subscription.created', third);
    expect(await me()).toMatchObject({ id: second.id, otherLiveSubscriptions: 1 });

    const ended = fake.putSubscription({
      id: second.id,
      customer: String(session.customer),
      status: 'canceled',
      priceId: YEARLY,
    });
    await deliver('customer.subscription.deleted', ended);
    expect(await me()).toMatchObject({ id: first.id, status: 'active', otherLiveSubscriptions: 0 });
  });
});
