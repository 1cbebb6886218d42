import { Page } from 'playwright-core';
import { FakeStripe } from '../support/fake-stripe';
import { STRIPE_KEY, SUBSCRIPTION_PRICE, WEBHOOK_SECRET } from '../support/test-app';
import {
  ListeningService,
  Screenshots,
  startListeningService,
  usePage,
  useBrowserSuite,
} from './browser-support';

// The sandbox pages as plain, accessible HTML: a language, one h1 and no skipped heading levels,
// content inside landmarks, named buttons and links, header cells on tables, a sandbox notice a
// screen reader announces, and every control reachable and usable with the keyboard alone.

/** What has the keyboard focus: a button or link, its name (aria-label or text), its focus outline. */
interface Focused {
  role: string;
  name: string;
  outline: string;
}

const focused = (page: Page): Promise<Focused | null> =>
  page.evaluate(`(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    return {
      role: element.tagName === 'A' ? 'link' : element.tagName.toLowerCase(),
      name: (element.getAttribute('aria-label') || element.textContent || '').trim(),
      outline: getComputedStyle(element).outlineStyle,
    };
  })()`);

/** Presses Tab until `name` is focused (at most `limit` times); every stop on the way, in order. */
async function tabTo(page: Page, name: string, limit = 15): Promise<Focused[]> {
  const stops: Focused[] = [];
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now) stops.push(now);
    if (now?.name === name) return stops;
  }
  throw new Error(`"${name}" was not reached with Tab; focus went ${JSON.stringify(stops)}`);
}

/** Every control of the page in tab order, one full cycle (from the top of the page). */
async function tabCycle(page: Page, limit = 20): Promise<Focused[]> {
  const stops: Focused[] = [];
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (!now || (stops.length > 0 && now.name === stops[0].name && now.role === stops[0].role)) break;
    stops.push(now);
  }
  return stops;
}

/** The structural checks every sandbox page passes. */
async function expectAccessibleStructure(page: Page): Promise<void> {
  expect(await page.locator('html').getAttribute('lang')).toBe('en');
  expect(await page.title()).toMatch(/ · Sandbox$/);
  expect(await page.locator('h1').count()).toBe(1);
  expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);

  // Headings go down one level at a time.
  const levels = await page
    .locator('h1, h2, h3, h4, h5, h6')
    .evaluateAll((headings) => headings.map((heading) => Number(heading.tagName.slice(1))));
  levels.forEach((level, index) => {
    if (index > 0) expect(level - levels[index - 1]).toBeLessThanOrEqual(1);
  });

  // The sandbox notice: a landmark of its own, first on the page, saying what this is.
  const notice = page.getByRole('banner');
  expect(await notice.count()).toBe(1);
  expect(await notice.innerText()).toMatch(/\bSandbox\b.*\btest page\b.*No real payment is taken/i);
  // All visible content sits in a landmark (the banner or main).
  expect(
    await page.evaluate(`[...document.body.children]
      .filter((element) => element.tagName !== 'SCRIPT' && element.textContent.trim())
      .map((element) => element.tagName)`),
  ).toEqual(['HEADER', 'MAIN']);

  // Every button and link has an accessible name (an unnamed one shows as a bare "- button").
  const tree = await page.locator('body').ariaSnapshot();
  const controls = tree.split('\n').filter((line) => /^\s*- (button|link)\b/.test(line));
  expect(controls.filter((line) => !/^\s*- (button|link) "[^"]+"/.test(line))).toEqual([]);

  // Tables: a name and a header cell over every column.
  for (const table of await page.getByRole('table').all()) {
    const headers = await table.locator('thead th[scope="col"]').count();
    expect(headers).toBeGreaterThan(0);
    expect(await table.locator('caption').innerText()).not.toBe('');
    for (const row of await table.locator('tbody tr').all()) {
      expect(await row.locator('td, th').count()).toBe(headers);
    }
  }
}

describe('The sandbox pages, for keyboard and screen-reader users', () => {
  const suite = useBrowserSuite({ TRIAL_DAYS: '30' });
  let page: Page;
  usePage(suite, (opened) => (page = opened));

  it('should make the checkout page accessible and let the keyboard alone subscribe', async () => {
    const shots = new Screenshots('accessibility-checkout-keyboard');
    const account = await suite.newAccount('Keyboard user');
    const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_monthly' });
    await page.goto(checkout.url);

    await expectAccessibleStructure(page);
    expect(await page.getByRole('button').allInnerTexts()).toEqual(['Subscribe', 'Cancel']);
    const cycle = await tabCycle(page);
    expect(cycle.map(({ role, name }) => `${role} ${name}`)).toEqual(['button Subscribe', 'button Cancel']);

    // Keyboard only, from a fresh load: Tab to Subscribe, Enter.
    await page.reload();
    const stops = await tabTo(page, 'Subscribe');
    await shots.take(page, 'subscribe focused');
    expect(stops.at(-1)).toEqual({ role: 'button', name: 'Subscribe', outline: 'solid' });
    expect(await page.evaluate('document.activeElement.textContent.trim()')).toBe('Subscribe');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${suite.client.origin}/done?session=${checkout.sessionId}`);
    await shots.take(page, 'success url');

    const me = await suite.api('GET', '/api/subscriptions/me', { apiKey: account.apiKey });
    expect(me.body.subscription).toMatchObject({ status: 'trialing', priceId: 'price_sandbox_monthly' });

    // The used session's page is just as accessible, and says why there is nothing to do.
    await page.goto(checkout.url);
    await expectAccessibleStructure(page);
    expect(await page.getByRole('status').innerText()).toBe('This checkout session is complete.');
    expect(await page.getByRole('button').count()).toBe(0);
  });

  it('should make the portal accessible: a named subscription, an invoice table, keyboard cancel', async () => {
    const shots = new Screenshots('accessibility-portal-keyboard');
    const account = await suite.newAccount('Keyboard portal user');
    const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_monthly' });
    const completed = await fetch(`${checkout.url}/complete`, { method: 'POST', redirect: 'manual' });
    expect(completed.status).toBe(303);
    const portal = await suite.api('POST', '/api/subscriptions/portal', {
      apiKey: account.apiKey,
      body: { returnUrl: `${suite.client.origin}/settings` },
    });
    expect(portal.status).toBe(200);
    await page.goto(portal.body.url);

    await expectAccessibleStructure(page);
    expect(await page.getByRole('region', { name: 'Pro plan (sandbox)' }).count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Invoices' }).count()).toBe(1);
    const cycle = await tabCycle(page);
    expect(cycle.map(({ role, name }) => `${role} ${name}`)).toEqual([
      'button Cancel at period end',
      'button Advance to the next renewal',
      'button End the trial now',
      'button Fail the next payment',
      'link Return to the application',
    ]);

    await page.reload();
    const stops = await tabTo(page, 'Cancel at period end');
    expect(stops.at(-1)?.outline).toBe('solid');
    await shots.take(page, 'cancel at period end focused');
    await page.keyboard.press('Enter');
    await page.getByRole('status').waitFor();
    await shots.take(page, 'cancels at period end');
    expect(await page.getByRole('status').innerText()).toBe('Cancels at the end of the period.');
    await expectAccessibleStructure(page);

    await tabTo(page, 'Return to the application');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${suite.client.origin}/settings`);
    await shots.take(page, 'return url');
    const me = await suite.api('GET', '/api/subscriptions/me', { apiKey: account.apiKey });
    expect(me.body.subscription).toMatchObject({ cancelAtPeriodEnd: true });
  });

  it('should make the landing page and the error pages accessible, their icon allowed by the CSP', async () => {
    const shots = new Screenshots('accessibility-landing-and-errors');
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') refusals.push(message.text());
    });
    const account = await suite.newAccount('Newcomer');
    const landing = `${suite.service.url}/sandbox/return`;
    const started = await suite.api('POST', '/api/billing/checkout', {
      apiKey: account.apiKey,
      body: {
        priceId: 'price_sandbox_monthly',
        successUrl: `${landing}?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${landing}?checkout=cancelled`,
      },
    });
    expect(started.status).toBe(200);
    await page.goto(started.body.data.url);
    await tabTo(page, 'Subscribe');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${landing}?checkout=success&session_id=${started.body.data.sessionId}`);
    await shots.take(page, 'landing page');

    await expectAccessibleStructure(page);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Checkout complete');
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
    const cycle = await tabCycle(page);
    expect(cycle.map(({ role, name }) => `${role} ${name}`)).toEqual([
      'link GET /api/subscriptions/me in the API documentation',
      'link API documentation',
    ]);
    expect(cycle.every(({ outline }) => outline === 'solid')).toBe(true);

    const missing = await page.goto(`${suite.service.url}/sandbox/portal/bps_sbx_0123456789abcdef01234567`);
    await shots.take(page, 'not found');
    expect(missing?.status()).toBe(404);
    await expectAccessibleStructure(page);
    expect(await page.getByRole('status').innerText()).toBe('No such portal session.');
    expect((await tabCycle(page)).map(({ role, name }) => `${role} ${name}`)).toEqual([
      'link API documentation',
    ]);
    // Nothing the pages load is refused by the Content-Security-Policy (the icon is a data: image).
    expect(refusals.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  });

  describe('with the Stripe provider', () => {
    let fake: FakeStripe;
    let service: ListeningService;

    beforeAll(async () => {
      fake = await new FakeStripe().start();
      service = await startListeningService({
        PAYMENT_PROVIDER: 'stripe',
        STRIPE_SECRET_KEY: STRIPE_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_URL: fake.url,
        SUBSCRIPTION_PRICE_ID: SUBSCRIPTION_PRICE,
      });
    });

    afterAll(async () => {
      await service?.close();
      await fake?.stop();
    });

    it('should not exist', async () => {
      const checkout = await page.goto(`${service.url}/sandbox/checkout/cs_sbx_anything`);
      expect(checkout?.status()).toBe(404);
      expect(await page.getByRole('button').count()).toBe(0);
      expect(await page.content()).not.toContain('No real payment is taken');
      const portal = await page.goto(`${service.url}/sandbox/portal/bps_sbx_anything`);
      expect(portal?.status()).toBe(404);
    });
  });
});
