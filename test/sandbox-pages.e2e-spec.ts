import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

// The sandbox's pages as a newcomer meets them: the landing page its redirects can go to, pages
// that read like the checkout they stand for, errors as pages, and nothing kept in caches.

const pathOf = (url: string) => new URL(url).pathname;
const LANDING = 'http://localhost:3000/sandbox/return';
/** A browser's Accept header for a navigation (a link, a form post). */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** The text of the element with this data-testid (tags stripped, space collapsed). */
const field = (text: string, testId: string): string | undefined => {
  const match = new RegExp(`<(\\w+)[^>]*data-testid="${testId}"[^>]*>([\\s\\S]*?)</\\1>`).exec(text);
  return match?.[2]
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
};

describe('The sandbox pages, for a newcomer', () => {
  let sut: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    // No localhost in the list: the landing page is allowed because it is the service's own.
    sut = await startTestApp({ ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN, TRIAL_DAYS: '14' });
  });

  afterAll(() => sut.close());

  beforeEach(async () => {
    account = await createAccount(sut);
  });

  const checkout = (body: Record<string, unknown>) =>
    sut.http().post('/api/billing/checkout').set('x-api-key', account.apiKey).send(body);

  describe('the landing page GET /sandbox/return', () => {
    it('should take the checkout back to it, and show the session id and where to look next', async () => {
      const started = await checkout({
        priceId: 'price_sandbox_monthly',
        successUrl: `${LANDING}?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${LANDING}?checkout=cancelled`,
      }).expect(200);
      const { sessionId, url } = started.body.data;

      const done = await sut
        .http()
        .post(`${pathOf(url)}/complete`)
        .expect(303);
      expect(done.headers.location).toBe(`${LANDING}?checkout=success&session_id=${sessionId}`);
      const landing = await sut
        .http()
        .get(done.headers.location.slice('http://localhost:3000'.length))
        .expect(200);

      expect(landing.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(landing.headers['cache-control']).toBe('no-store');
      expect(landing.text).toContain('<title>Checkout complete · Sandbox</title>');
      expect(field(landing.text, 'outcome')).toContain('GET /api/subscriptions/me');
      expect(field(landing.text, 'query')).toBe(`checkout success session_id ${sessionId}`);
      expect(landing.text).toContain('href="/docs"');
      expect(landing.text).toContain('href="/docs#/subscriptions/SubscriptionsController_getMySubscription"');
      expect(landing.text).toContain('curl -s http://localhost:3000/api/subscriptions/me');
      const me = await sut.http().get('/api/subscriptions/me').set('x-api-key', account.apiKey).expect(200);
      expect(me.body.subscription).toMatchObject({ status: 'trialing' });
    });

    it.each([
      ['checkout=cancelled', 'Checkout cancelled'],
      ['portal=returned', 'Back from the billing portal'],
      ['change=success&session_id=chg_1', 'Change confirmed'],
      ['change=cancelled', 'Change cancelled'],
      ['', 'Back from the sandbox'],
    ])('should name the outcome of ?%s', async (query, title) => {
      const page = await sut.http().get(`/sandbox/return?${query}`).expect(200);

      expect(page.text).toContain(`<h1>${title}</h1>`);
    });

    it('should accept it as a portal return URL, and refuse another localhost port', async () => {
      await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: 'http://localhost:5173/welcome' })
        .expect(400);
      const session = await sut
        .http()
        .post('/api/subscriptions/sessions')
        .set('x-api-key', account.apiKey)
        .send({ successUrl: `${LANDING}?checkout=success&session_id={CHECKOUT_SESSION_ID}` })
        .expect(200);
      await sut
        .http()
        .post(`${pathOf(session.body.url)}/complete`)
        .expect(303);

      const portal = await sut
        .http()
        .post('/api/subscriptions/portal')
        .set('x-api-key', account.apiKey)
        .send({ returnUrl: `${LANDING}?portal=returned` })
        .expect(200);
      const page = await sut.http().get(pathOf(portal.body.url)).expect(200);
      expect(page.text).toContain(`href="${LANDING}?portal=returned"`);
    });

    it('should show what came back as text, never as markup', async () => {
      const page = await sut
        .http()
        .get('/sandbox/return')
        .query({ checkout: '<script>alert(1)</script>', '<b>name</b>': '"quoted"' })
        .expect(200);

      expect(page.text).not.toContain('<script>alert');
      expect(page.text).not.toContain('<b>name');
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).toContain('&quot;quoted&quot;');
    });
  });

  describe('the checkout page', () => {
    it('should say Buy for a one-time payment, with its total and no trial', async () => {
      const started = await checkout({
        priceId: 'price_sandbox_credits',
        mode: 'payment',
        quantity: 3,
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      }).expect(200);

      const page = await sut.http().get(pathOf(started.body.data.url)).expect(200);

      expect(page.text).toMatch(/Buy\s*<strong>Credit pack \(sandbox\)<\/strong>\s*\(one-time payment\)/);
      expect(field(page.text, 'price')).toBe('$50.00');
      expect(field(page.text, 'total')).toBe('$150.00');
      expect(page.text).toMatch(/<button type="submit" class="primary">\s*Buy\s*<\/button>/);
      expect(page.text).not.toContain('data-testid="trial"');
      expect(page.text).not.toContain('Subscribe');
    });

    it('should show a subscription total for several seats, its trial, and a readable expiry', async () => {
      const started = await checkout({
        priceId: 'price_sandbox_yearly',
        quantity: 3,
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      }).expect(200);
      const expiresAt = new Date(started.body.data.expiresAt);

      const page = await sut.http().get(pathOf(started.body.data.url)).expect(200);

      expect(field(page.text, 'total')).toBe('$450.00 per year');
      expect(field(page.text, 'trial')).toBe('14-day free trial');
      const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(expiresAt);
      expect(field(page.text, 'expires')).toMatch(new RegExp(`^\\d\\d:\\d\\d UTC on ${day}$`));
      expect(page.text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    });

    it('should show no total for a single seat', async () => {
      const started = await checkout({
        priceId: 'price_sandbox_monthly',
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: `${APP_ORIGIN}/pricing`,
      }).expect(200);

      const page = await sut.http().get(pathOf(started.body.data.url)).expect(200);

      expect(page.text).not.toContain('data-testid="total"');
    });
  });

  describe('errors', () => {
    it.each([
      ['/sandbox/checkout/cs_sbx_0123456789abcdef01234567', 'No such checkout session.'],
      ['/sandbox/checkout/not-an-id', 'No such checkout session.'],
      ['/sandbox/portal/bps_sbx_0123456789abcdef01234567', 'No such portal session.'],
      ['/sandbox/invoice/in_sbx_0123456789abcdef01234567', 'No such invoice.'],
      ['/sandbox/change/chg_unknown', 'No such change.'],
    ])('should answer GET %s with a 404 page in the sandbox style', async (path, message) => {
      const page = await sut.http().get(path).expect(404);

      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('<title>Not found · Sandbox</title>');
      expect(page.text).toContain('No real payment is taken');
      expect(field(page.text, 'error')).toBe(message);
      expect(page.text).toContain('href="/docs"');
    });

    it("should answer a browser's form post with a page, and a script's with JSON", async () => {
      const path = '/sandbox/checkout/cs_sbx_0123456789abcdef01234567/complete';

      const browser = await sut.http().post(path).set('accept', BROWSER_ACCEPT).expect(404);
      const script = await sut.http().post(path).expect(404);

      expect(browser.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(field(browser.text, 'error')).toBe('No such checkout session.');
      expect(script.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(script.body).toEqual({ error: 'No such checkout session' });
    });

    it('should answer a refused cross-site post from a browser with a page', async () => {
      const page = await sut
        .http()
        .post('/sandbox/checkout/cs_sbx_0123456789abcdef01234567/complete')
        .set('accept', BROWSER_ACCEPT)
        .set('origin', 'https://evil.example')
        .expect(403);

      expect(page.text).toContain('<h1>Refused</h1>');
      expect(field(page.text, 'error')).toBe('Cross-site form posts to this page are refused.');
    });

    it('should keep JSON for everything outside the sandbox pages', async () => {
      const api = await sut.http().get('/api/subscriptions/me').set('accept', BROWSER_ACCEPT).expect(401);
      const unknown = await sut.http().get('/sandbox/nowhere').set('accept', BROWSER_ACCEPT).expect(404);

      expect(api.body).toEqual({ error: 'Authentication required' });
      expect(unknown.headers['content-type']).toBe('application/json; charset=utf-8');
    });
  });

  it('should answer every page and form with Cache-Control: no-store, and give pages an inline icon', async () => {
    const started = await checkout({
      priceId: 'price_sandbox_monthly',
      successUrl: `${APP_ORIGIN}/ok`,
      cancelUrl: `${APP_ORIGIN}/pricing`,
    }).expect(200);
    const checkoutPath = pathOf(started.body.data.url);
    const checkoutPage = await sut.http().get(checkoutPath).expect(200);
    const cancelled = await sut.http().post(`${checkoutPath}/cancel`).expect(303);
    const completed = await sut.http().post(`${checkoutPath}/complete`).expect(303);
    const portal = await sut
      .http()
      .post('/api/subscriptions/portal')
      .set('x-api-key', account.apiKey)
      .send({ returnUrl: `${APP_ORIGIN}/settings` })
      .expect(200);
    const portalPage = await sut.http().get(pathOf(portal.body.url)).expect(200);
    const failing = await sut
      .http()
      .post(`${pathOf(portal.body.url)}/fail-next-payment`)
      .expect(303);

    for (const answer of [checkoutPage, cancelled, completed, portalPage, failing]) {
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    for (const page of [checkoutPage, portalPage]) {
      expect(page.text).toMatch(/<link rel="icon" type="image\/svg\+xml" href="data:image\/svg\+xml,%3Csvg/);
    }
    // The icon is a data: image, which the pages' Content-Security-Policy allows.
    expect(checkoutPage.headers['content-security-policy']).toMatch(/img-src 'self' data:/);
  });
});
