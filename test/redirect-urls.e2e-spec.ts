import { useStripeApp } from './support/stripe-app';
import { createAccount, startTestApp, SUBSCRIPTION_PRICE, TestAccount, TestApp } from './support/test-app';

// Redirect URLs are stored and forwarded in their WHATWG serialisation (`new URL(x).href`):
// percent-encoded ASCII, the only form an HTTP Location header can carry, and the form every
// parser reads the same way (a backslash is a slash to browsers, not to every other parser).
// A {CHECKOUT_SESSION_ID} placeholder stays literal, wherever it sits, for the provider to fill in.

const CLIENT = 'http://localhost:5173';

/** What callers send, and the normalised form the provider must receive. */
const NON_ASCII = {
  success: `${CLIENT}/café/€?plan=grün&session={CHECKOUT_SESSION_ID}`,
  successNormalised: `${CLIENT}/caf%C3%A9/%E2%82%AC?plan=gr%C3%BCn&session={CHECKOUT_SESSION_ID}`,
  cancel: `${CLIENT}/café/annulé`,
  cancelNormalised: `${CLIENT}/caf%C3%A9/annul%C3%A9`,
  placeholderInPath: `${CLIENT}/done/{CHECKOUT_SESSION_ID}/é#reçu`,
  placeholderInPathNormalised: `${CLIENT}/done/{CHECKOUT_SESSION_ID}/%C3%A9#re%C3%A7u`,
  back: `${CLIENT}/réglages/facturation`,
  backNormalised: `${CLIENT}/r%C3%A9glages/facturation`,
};
/** A backslash before `@`: WHATWG reads a path (`/@evil.com`), other parsers a user info. */
const BACKSLASH_AT = `${CLIENT}\\@evil.com`;
const BACKSLASH_AT_NORMALISED = `${CLIENT}/@evil.com`;

const pathOf = (url: string) => new URL(url).pathname;

describe('Redirect URLs with the sandbox provider', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox' });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const billingCheckout = async (successUrl: string, cancelUrl: string) => {
    const response = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId: 'price_sandbox_monthly', successUrl, cancelUrl });
    expect(response.status).toBe(200);
    return response.body.data as { sessionId: string; url: string };
  };

  it('should redirect a completed checkout to the percent-encoded success URL, with the session id', async () => {
    const checkout = await billingCheckout(NON_ASCII.success, NON_ASCII.cancel);

    const done = await sut.http().post(`${pathOf(checkout.url)}/complete`);

    expect({ status: done.status, location: done.headers.location }).toEqual({
      status: 303,
      location: NON_ASCII.successNormalised.replace('{CHECKOUT_SESSION_ID}', checkout.sessionId),
    });
  });

  it('should redirect a cancelled checkout to the percent-encoded cancel URL', async () => {
    const checkout = await billingCheckout(NON_ASCII.success, NON_ASCII.cancel);

    const cancelled = await sut.http().post(`${pathOf(checkout.url)}/cancel`);

    expect({ status: cancelled.status, location: cancelled.headers.location }).toEqual({
      status: 303,
      location: NON_ASCII.cancelNormalised,
    });
  });

  it('should fill in a {CHECKOUT_SESSION_ID} placeholder in the path of a non-ASCII success URL', async () => {
    const checkout = await billingCheckout(NON_ASCII.placeholderInPath, NON_ASCII.cancel);

    const done = await sut.http().post(`${pathOf(checkout.url)}/complete`);

    expect({ status: done.status, location: done.headers.location }).toEqual({
      status: 303,
      location: NON_ASCII.placeholderInPathNormalised.replace('{CHECKOUT_SESSION_ID}', checkout.sessionId),
    });
  });

  it('should redirect a subscription session from /api/subscriptions/sessions to the percent-encoded URL', async () => {
    const session = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: NON_ASCII.cancel });
    expect(session.status).toBe(200);

    const done = await sut.http().post(`${pathOf(session.body.url)}/complete`);

    expect({ status: done.status, location: done.headers.location }).toEqual({
      status: 303,
      location: NON_ASCII.cancelNormalised,
    });
  });

  it('should redirect to the path that a backslash before @ makes, on the allowed origin', async () => {
    const checkout = await billingCheckout(BACKSLASH_AT, BACKSLASH_AT);

    const done = await sut.http().post(`${pathOf(checkout.url)}/complete`);

    expect({ status: done.status, location: done.headers.location }).toEqual({
      status: 303,
      location: BACKSLASH_AT_NORMALISED,
    });
  });

  it('should link the portal page back to the percent-encoded return URL', async () => {
    const session = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${CLIENT}/welcome` });
    await sut
      .http()
      .post(`${pathOf(session.body.url)}/complete`)
      .expect(303);

    const portal = await sut
      .http()
      .post('/api/subscriptions/portal')
      .set('x-api-key', account.apiKey)
      .send({ returnUrl: NON_ASCII.back });
    expect(portal.status).toBe(200);
    const page = await sut.http().get(pathOf(portal.body.url));

    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="${NON_ASCII.backNormalised}"`);
  });
});

describe('Redirect URLs with the Stripe provider', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [{ id: SUBSCRIPTION_PRICE, type: 'recurring' }],
    perTest: true,
  });

  const sentToProvider = () => fake.received('POST', '/v1/checkout/sessions').map((call) => call.body);

  it('should send the provider the normalised success and cancel URLs, with the placeholder literal', async () => {
    const response = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId: SUBSCRIPTION_PRICE, successUrl: NON_ASCII.success, cancelUrl: NON_ASCII.cancel });

    expect(response.status).toBe(200);
    expect(sentToProvider()).toEqual([
      expect.objectContaining({
        success_url: NON_ASCII.successNormalised,
        cancel_url: NON_ASCII.cancelNormalised,
      }),
    ]);
  });

  it('should keep a {CHECKOUT_SESSION_ID} placeholder in the path literal, not %7B…%7D', async () => {
    const response = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ priceId: SUBSCRIPTION_PRICE, successUrl: NON_ASCII.placeholderInPath, cancelUrl: CLIENT });

    expect(response.status).toBe(200);
    expect(sentToProvider()).toEqual([
      expect.objectContaining({
        success_url: NON_ASCII.placeholderInPathNormalised,
        cancel_url: `${CLIENT}/`,
      }),
    ]);
  });

  it('should send the normalised URL from /api/subscriptions/sessions', async () => {
    const response = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: BACKSLASH_AT });

    expect(response.status).toBe(200);
    expect(sentToProvider()).toEqual([expect.objectContaining({ success_url: BACKSLASH_AT_NORMALISED })]);
  });

  it('should send the normalised return URL to the portal', async () => {
    await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${CLIENT}/welcome` })
      .expect(200);

    const response = await sut
      .http()
      .post('/api/subscriptions/portal')
      .set('x-api-key', account.apiKey)
      .send({ returnUrl: NON_ASCII.back });

    expect(response.status).toBe(200);
    expect(fake.received('POST', '/v1/billing_portal/sessions').map((call) => call.body)).toEqual([
      expect.objectContaining({ return_url: NON_ASCII.backNormalised }),
    ]);
  });
});
