import { createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

// A refusal names the rule the value broke: a value of the wrong type is told its type, not a
// range it cannot be compared with; and a 409 tells the caller what it can do on the endpoint
// that answered.

const CLIENT = 'http://localhost:5173';
const VALID_CHECKOUT = {
  priceId: 'price_sandbox_monthly',
  successUrl: `${CLIENT}/done`,
  cancelUrl: `${CLIENT}/pricing`,
};

describe('Validation messages', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox' });
    account = await createAccount(sut);
  });

  afterAll(() => sut.close());

  const checkout = (body: Record<string, unknown>, query = '', who = account) =>
    sut
      .http()
      .post(`/api/billing/checkout${query}`)
      .set('x-api-key', who.apiKey)
      .send({ ...VALID_CHECKOUT, ...body });

  const wrongTypes = (field: string): Array<[string, string, unknown]> => [
    [field, '"2"', '2'],
    [field, '"abc"', 'abc'],
    [field, 'true', true],
    [field, 'false', false],
    [field, '2.5', 2.5],
    [field, '[5]', [5]],
    [field, '{}', {}],
  ];

  describe('POST /api/billing/checkout', () => {
    it.each([...wrongTypes('quantity'), ...wrongTypes('expiresInMinutes')])(
      'should answer %s: %s with "must be a whole number"',
      async (field, _label, value) => {
        const response = await checkout({ [field]: value });

        expect({ status: response.status, body: response.body }).toEqual({
          status: 400,
          body: {
            success: false,
            error: { code: 'BAD_REQUEST', message: `${field} must be a whole number` },
          },
        });
      },
    );

    it.each([
      ['quantity', 0, 'quantity must be at least 1'],
      ['quantity', 1_000_000, 'quantity must be at most 999999'],
      ['expiresInMinutes', 29, 'expiresInMinutes must be at least 30'],
      ['expiresInMinutes', 1441, 'expiresInMinutes must be at most 1440'],
      ['priceId', 5, 'Invalid price ID'],
      ['priceId', 'price with spaces', 'Invalid price ID'],
      ['mode', 5, 'mode must be subscription or payment'],
      ['mode', 'monthly', 'mode must be subscription or payment'],
      ['allowExistingSubscription', 'true', 'allowExistingSubscription must be true or false'],
      ['allowExistingSubscription', 1, 'allowExistingSubscription must be true or false'],
      ['successUrl', 5, 'successUrl must be an absolute http(s) URL'],
      ['cancelUrl', ['https://app.example.com'], 'cancelUrl must be an absolute http(s) URL'],
      ['metadata', 'plan=pro', 'metadata must be an object of string values'],
      ['metadata', { plan: 5 }, 'metadata values must be strings'],
    ])('should answer %s: %p with "%s"', async (field, value, message) => {
      const response = await checkout({ [field]: value });

      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe(message);
    });

    it('should report a missing field before a wrongly typed one', async () => {
      const response = await checkout({ priceId: undefined, quantity: 'abc' });

      expect(response.body.error.message).toBe('priceId is required');
    });
  });

  describe('query parameters and /api/subscriptions/*', () => {
    it.each([
      ['/api/subscriptions/me?accountId=5', 'accountId must be a UUID'],
      ['/api/subscriptions/me?testMode=yes', 'testMode must be true or false'],
      ['/api/subscriptions/me?testMode=true&testMode=false', 'testMode must be true or false'],
    ])('should answer GET %s with "%s"', async (path, message) => {
      const response = await sut.http().get(path).set('x-api-key', account.apiKey);

      expect({ status: response.status, body: response.body }).toEqual({
        status: 400,
        body: { error: message },
      });
    });

    it.each([
      ['sessions', { successUrl: 5 }, 'successUrl must be an absolute http(s) URL'],
      ['sessions', { successUrl: `${CLIENT}/`, accountId: 5 }, 'accountId must be a UUID'],
      ['portal', { returnUrl: true }, 'returnUrl must be an absolute http(s) URL'],
    ])('should answer POST /api/subscriptions/%s %p with "%s"', async (endpoint, body, message) => {
      const response = await sut
        .http()
        .post(`/api/subscriptions/${endpoint}`)
        .set('x-api-key', account.apiKey)
        .send(body);

      expect({ status: response.status, body: response.body }).toEqual({
        status: 400,
        body: { error: message },
      });
    });
  });
});

describe('The 409 for an account that already has a subscription', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox' });
    account = await createAccount(sut);
    const session = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${CLIENT}/welcome` })
      .expect(200);
    await sut
      .http()
      .post(`${new URL(session.body.url).pathname}/complete`)
      .expect(303);
  });

  afterAll(() => sut.close());

  it('should not tell a caller of /api/subscriptions/sessions to pass a field that endpoint refuses', async () => {
    const response = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${CLIENT}/welcome` });
    const tryingTheAdvice = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .send({ successUrl: `${CLIENT}/welcome`, allowExistingSubscription: true });

    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      error:
        'The account already has an active subscription; manage it in the billing portal (POST /api/subscriptions/portal)',
    });
    expect(tryingTheAdvice.body).toEqual({ error: 'Unknown field: allowExistingSubscription' });
  });

  it('should tell a caller of /api/billing/checkout about allowExistingSubscription, which works there', async () => {
    const response = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send(VALID_CHECKOUT);
    const followingTheAdvice = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({ ...VALID_CHECKOUT, allowExistingSubscription: true });

    expect({ status: response.status, body: response.body }).toEqual({
      status: 409,
      body: {
        success: false,
        error: {
          code: 'ALREADY_SUBSCRIBED',
          message:
            'The account already has an active subscription; pass allowExistingSubscription to start another',
        },
      },
    });
    expect(followingTheAdvice.status).toBe(200);
  });
});
