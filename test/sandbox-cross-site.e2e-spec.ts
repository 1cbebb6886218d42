import { createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

// The sandbox's hosted pages change things with plain HTML form posts (Subscribe, Cancel, cancel
// at period end, keep subscription). A form on another site can post to them too, with the
// person's browser: such posts are refused. A request without Origin (curl, a test) is not a
// browser's cross-site post and keeps working, and so do the pages' own forms.

const PUBLIC_URL = 'http://billing.example.test:8080';
const pathOf = (url: string) => new URL(url).pathname;

type Headers = Record<string, string>;

/** Browser headers of a cross-site (or, for the sandbox, same-site) form post. */
const FOREIGN: Array<[string, Headers]> = [
  ['an Origin of another site', { origin: 'https://evil.example' }],
  ['an Origin on another port of the same host', { origin: 'http://billing.example.test:9090' }],
  ['an Origin over https of the same host and port', { origin: 'https://billing.example.test:8080' }],
  ['Origin: null (an opaque origin, or a page whose policy hides it)', { origin: 'null' }],
  ['an Origin that is not an origin', { origin: 'evil' }],
  ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ['Sec-Fetch-Site: cross-site with our own Origin', { 'sec-fetch-site': 'cross-site', origin: PUBLIC_URL }],
];

describe('The sandbox pages against cross-site form posts', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox', PUBLIC_URL });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const me = async () =>
    (await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200)).body
      .subscription;

  const startCheckout = async () => {
    const { body } = await sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', account.apiKey)
      .send({
        priceId: 'price_sandbox_monthly',
        successUrl: 'http://localhost:5173/done',
        cancelUrl: 'http://localhost:5173/pricing',
      })
      .expect(200);
    return pathOf(body.data.url);
  };

  /** A subscription completed through the checkout page, and the portal page that shows it. */
  const startPortal = async () => {
    await sut
      .http()
      .post(`${await startCheckout()}/complete`)
      .expect(303);
    const { body } = await sut
      .http()
      .post('/api/subscriptions/portal')
      .set('x-api-key', account.apiKey)
      .send({ returnUrl: 'http://localhost:5173/settings' })
      .expect(200);
    const portal = pathOf(body.url);
    const page = await sut.http().get(portal).expect(200);
    const action = /action="([^"]+\/cancel)"/.exec(page.text)![1];
    return { portal, cancel: action, resume: action.replace(/\/cancel$/, '/resume') };
  };

  const post = (path: string, headers: Headers) => {
    const request = sut.http().post(path).type('form').send({});
    for (const [name, value] of Object.entries(headers)) request.set(name, value);
    return request;
  };

  describe.each(FOREIGN)('a form post with %s', (_case, headers) => {
    it('should refuse Subscribe with 403 {error}, and leave the checkout open', async () => {
      const checkout = await startCheckout();

      const refused = await post(`${checkout}/complete`, headers);

      expect({ status: refused.status, body: refused.body }).toEqual({
        status: 403,
        body: { error: expect.stringMatching(/cross-site/i) },
      });
      expect(await me()).toBeNull();
      expect((await sut.http().get(checkout).expect(200)).text).toContain('Subscribe');
    });

    it('should refuse Cancel on the checkout page with 403 {error}', async () => {
      const checkout = await startCheckout();

      const refused = await post(`${checkout}/cancel`, headers);

      expect({ status: refused.status, location: refused.headers.location }).toEqual({
        status: 403,
        location: undefined,
      });
      expect(refused.body).toEqual({ error: expect.any(String) });
    });

    it('should refuse cancel at period end and resume in the portal with 403 {error}, changing nothing', async () => {
      const { cancel, resume } = await startPortal();

      const cancelled = await post(cancel, headers);
      const resumed = await post(resume, headers);

      expect([cancelled.status, resumed.status]).toEqual([403, 403]);
      expect(cancelled.body).toEqual({ error: expect.any(String) });
      expect(await me()).toMatchObject({ cancelAtPeriodEnd: false });
    });
  });

  describe.each<[string, Headers]>([
    ['no Origin (curl, a server)', {}],
    ['the Origin of PUBLIC_URL', { origin: PUBLIC_URL }],
    ['the Origin of PUBLIC_URL, its host in capitals', { origin: 'http://BILLING.example.test:8080' }],
    [
      'Sec-Fetch-Site: same-origin and its real Origin',
      { 'sec-fetch-site': 'same-origin', origin: PUBLIC_URL },
    ],
    ['Sec-Fetch-Site: same-origin, the origin withheld', { 'sec-fetch-site': 'same-origin', origin: 'null' }],
    ['Sec-Fetch-Site: none (the person typed or bookmarked it)', { 'sec-fetch-site': 'none' }],
  ])('a form post with %s', (_case, headers) => {
    it('should complete the checkout and redirect to the success URL', async () => {
      const checkout = await startCheckout();

      const done = await post(`${checkout}/complete`, headers);

      expect({ status: done.status, location: done.headers.location }).toEqual({
        status: 303,
        location: 'http://localhost:5173/done',
      });
      expect(await me()).toMatchObject({ status: 'trialing' });
    });

    it('should cancel at period end, and resume, in the portal', async () => {
      const { portal, cancel, resume } = await startPortal();

      await post(cancel, headers).expect(303).expect('location', portal);
      expect(await me()).toMatchObject({ cancelAtPeriodEnd: true });
      await post(resume, headers).expect(303).expect('location', portal);
      expect(await me()).toMatchObject({ cancelAtPeriodEnd: false });
    });
  });

  it('should accept a post whose Origin is that of the Host it was sent to', async () => {
    const checkout = await startCheckout();

    const done = await post(`${checkout}/complete`, {
      host: 'sandbox.internal:3000',
      origin: 'http://sandbox.internal:3000',
    });

    expect(done.status).toBe(303);
  });

  it('should serve its pages with a referrer policy under which their own posts carry their origin', async () => {
    const checkout = await startCheckout();
    const { portal } = await startPortal();

    const checkoutPage = await sut.http().get(checkout).expect(200);
    const portalPage = await sut.http().get(portal).expect(200);

    // Under no-referrer a browser sends `Origin: null` even with a same-origin post.
    expect(checkoutPage.headers['referrer-policy']).toBe('same-origin');
    expect(portalPage.headers['referrer-policy']).toBe('same-origin');
  });
});
