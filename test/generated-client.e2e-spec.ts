import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import createClient, { Client } from 'openapi-fetch';
import { generateOpenApiTypes, OPENAPI_TYPES_PATH } from '../scripts/openapi-types';
import type { paths } from './support/openapi-types';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

// A client generated from the committed openapi.json (openapi-typescript's types, openapi-fetch's
// createClient) against a sandbox service listening on a port: the document is good enough to
// work from. `npm run typecheck` checks the calls below against the types; the first test keeps
// the committed types equal to what openapi-typescript makes of the document now.

const pathOf = (url: string) => new URL(url).pathname;

describe('A client generated from openapi.json', () => {
  let sut: TestApp;
  let account: TestAccount;
  let client: Client<paths>;
  let anonymous: Client<paths>;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox' });
    await sut.app.listen(0, '127.0.0.1');
    const baseUrl = await sut.app.getUrl();
    account = await createAccount(sut);
    client = createClient<paths>({ baseUrl, headers: { 'x-api-key': account.apiKey } });
    anonymous = createClient<paths>({ baseUrl });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('should be made from types that equal what openapi-typescript generates from openapi.json now', async () => {
    const document = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as object;

    const generated = await generateOpenApiTypes(document);

    if (readFileSync(OPENAPI_TYPES_PATH, 'utf8') !== generated) {
      throw new Error(`${OPENAPI_TYPES_PATH} is out of date: run \`npm run openapi\` and commit the result.`);
    }
  });

  it('should list the prices on offer', async () => {
    const { data, error, response } = await client.GET('/api/prices');

    expect({ status: response.status, error }).toEqual({ status: 200, error: undefined });
    const monthly = data?.prices.find((price) => price.id === 'price_sandbox_monthly');
    expect(monthly).toMatchObject({
      kind: 'recurring',
      interval: 'month',
      unitAmount: 1500,
      currency: 'usd',
    });
  });

  it('should start a subscription, and read it back once the person completed the checkout', async () => {
    const before = await client.GET('/api/subscriptions/me');
    expect(before.data).toEqual({ subscription: null });

    const started = await client.POST('/api/billing/checkout', {
      body: {
        priceId: 'price_sandbox_monthly',
        successUrl: `${APP_ORIGIN}/billing?session={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      },
    });
    expect(started.error).toBeUndefined();
    expect(started.data).toMatchObject({ success: true, data: { type: 'new_subscription' } });
    const checkout = started.data!.data;

    // The person's part, on the sandbox's hosted page.
    await sut
      .http()
      .post(`${pathOf(checkout.url)}/complete`)
      .expect(303);

    const after = await client.GET('/api/subscriptions/me', { params: { query: { testMode: 'false' } } });
    expect(after.data?.subscription).toMatchObject({ priceId: 'price_sandbox_monthly', status: 'trialing' });
  });

  it('should read a refused price as a typed error, with the reason in error.details', async () => {
    const refused = await client.POST('/api/billing/checkout', {
      body: {
        priceId: 'price_sandbox_retired',
        successUrl: `${APP_ORIGIN}/billing`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      },
    });

    expect(refused.response.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.error?.error).toEqual({
      code: 'BAD_REQUEST',
      message: 'Invalid price ID',
      details: { reason: 'archived' },
    });
  });

  it('should read a missing credential as the {error} body the document gives GET /api/prices', async () => {
    const { error, response } = await anonymous.GET('/api/prices');

    expect(response.status).toBe(401);
    expect(error).toEqual({ error: 'Authentication required' });
  });

  it('should refuse at compile time what the document does not allow', async () => {
    const call = () =>
      // @ts-expect-error successUrl and cancelUrl are required by the schema.
      client.POST('/api/billing/checkout', { body: { priceId: 'price_sandbox_monthly' } });

    const { response, error } = await call();
    expect(response.status).toBe(400);
    expect(error?.error.message).toBe('successUrl is required');
  });
});
