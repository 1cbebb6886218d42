import { Page, Request } from 'playwright-core';
import { escapeHtml } from '../../src/payments/sandbox/sandbox-html';
import { Screenshots, usePage, useBrowserSuite } from './browser-support';

// The sandbox's form posts against cross-site request forgery, in Chromium: the pages' own forms
// post with the service's real origin (their referrer policy lets the browser say it), and a
// form on another site, posting to the same URL with the person's browser, is refused.

/** A page of a site that is not the service's, answered by the browser itself (no network). */
async function serveForeignPage(page: Page, url: string, action: string): Promise<void> {
  await page.route(url, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body:
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Win a prize</title></head>' +
        `<body><main><form method="post" action="${escapeHtml(action)}">` +
        '<button type="submit">Claim your prize</button></form></main></body></html>',
    }),
  );
}

describe('The sandbox form posts and other sites, in a browser', () => {
  const suite = useBrowserSuite({ TRIAL_DAYS: '30' });
  let page: Page;
  usePage(suite, (opened) => (page = opened));

  it("should post the checkout page's Subscribe with the service's own origin, and subscribe", async () => {
    const account = await suite.newAccount('Posts with its origin');
    const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_monthly' });
    const posts: Request[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request);
    });

    await page.goto(checkout.url);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL(`${suite.client.origin}/done?session=${checkout.sessionId}`);

    expect(posts).toHaveLength(1);
    const headers = await posts[0].allHeaders();
    expect({ origin: headers.origin, site: headers['sec-fetch-site'] }).toEqual({
      origin: suite.service.url,
      site: 'same-origin',
    });
    expect(await suite.mySubscription(account)).toMatchObject({ status: 'trialing' });
  });

  it.each([
    ['another site', () => 'http://prizes.example.test/claim'],
    ['the client application, a same-site origin on another port', () => `${suite.client.origin}/claim`],
  ])(
    'should refuse a form on %s that posts Subscribe, and leave the checkout open',
    async (name, foreign) => {
      const shots = new Screenshots(`cross-site-subscribe-${name}`);
      const account = await suite.newAccount('Targeted from another site');
      const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_monthly' });
      await serveForeignPage(page, foreign(), `${checkout.url}/complete`);

      await page.goto(foreign());
      const [answer] = await Promise.all([
        page.waitForResponse((response) => response.url() === `${checkout.url}/complete`),
        page.getByRole('button', { name: 'Claim your prize' }).click(),
      ]);
      await shots.take(page, 'refused');

      // The person's tab shows the refusal as a sandbox page, not a JSON error.
      expect(answer.status()).toBe(403);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Refused');
      expect(await page.getByRole('status').innerText()).toMatch(/cross-site/i);
      expect(await suite.mySubscription(account)).toBeNull();
      await page.goto(checkout.url);
      expect(await page.getByRole('button', { name: 'Subscribe' }).isVisible()).toBe(true);
    },
  );

  it("should refuse a form on another site that posts the portal's cancel at period end", async () => {
    const account = await suite.newAccount('Portal targeted from another site');
    const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_monthly' });
    const completed = await fetch(`${checkout.url}/complete`, { method: 'POST', redirect: 'manual' });
    expect(completed.status).toBe(303);
    const portal = await suite.api('POST', '/api/subscriptions/portal', {
      apiKey: account.apiKey,
      body: { returnUrl: `${suite.client.origin}/settings` },
    });
    expect(portal.status).toBe(200);
    await page.goto(portal.body.url);
    const action = await page.locator('form[action$="/cancel"]').getAttribute('action');
    const cancelUrl = new URL(action!, portal.body.url).href;
    const foreign = 'http://prizes.example.test/portal';
    await serveForeignPage(page, foreign, cancelUrl);

    await page.goto(foreign);
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.url() === cancelUrl),
      page.getByRole('button', { name: 'Claim your prize' }).click(),
    ]);

    expect(answer.status()).toBe(403);
    expect(await suite.mySubscription(account)).toMatchObject({ cancelAtPeriodEnd: false });
  });
});
