import { Page } from 'playwright-core';
import { sql } from 'kysely';
import { Screenshots, usePage, useBrowserSuite } from './browser-support';

// The sandbox's hosted checkout page, walked in Chromium as a person would: the URL that
// POST /api/billing/checkout returned, the plan on the page, Subscribe or Cancel, and the
// client application's own page at the end.

describe('The sandbox checkout page, in a browser', () => {
  const suite = useBrowserSuite({ TRIAL_DAYS: '30' });
  let page: Page;
  usePage(suite, (opened) => (page = opened));

  it('should show the price, quantity and trial, subscribe, and land on the success URL with the session id', async () => {
    const shots = new Screenshots('checkout-subscribe');
    const account = await suite.newAccount('Checkout in a browser');
    const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_yearly', quantity: 2 });
    expect(checkout.url).toBe(`${suite.service.url}/sandbox/checkout/${checkout.sessionId}`);

    const opened = await page.goto(checkout.url);
    await shots.take(page, 'checkout page');

    expect(opened?.status()).toBe(200);
    expect(await page.title()).toBe('Checkout · Sandbox');
    expect(await page.getByRole('banner').innerText()).toMatch(/^Sandbox: .*No real payment is taken\.$/);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Checkout');
    expect(await page.getByRole('main').innerText()).toContain('Pro plan, yearly (sandbox)');
    expect(await page.getByTestId('price').innerText()).toBe('$150.00 per year');
    expect(await page.getByTestId('quantity').innerText()).toBe('2');
    expect(await page.getByTestId('trial').innerText()).toBe('30-day free trial');
    expect(await suite.mySubscription(account)).toBeNull();

    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL(`${suite.client.origin}/done?session=${checkout.sessionId}`);
    await shots.take(page, 'success url');

    // The client application was reached with the real session id, not the placeholder.
    expect(await page.locator('#location').innerText()).toBe(
      `${suite.client.origin}/done?session=${checkout.sessionId}`,
    );
    expect(suite.client.visits).toContain(`/done?session=${checkout.sessionId}`);
    const subscription = await suite.mySubscription(account);
    expect(subscription).toMatchObject({
      status: 'trialing',
      priceId: 'price_sandbox_yearly',
      quantity: 2,
      cancelAtPeriodEnd: false,
      mode: 'live',
    });
    expect(Date.parse(subscription.trialEnd) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    // Back on the (now used) checkout URL: nothing left to subscribe to.
    await page.goto(checkout.url);
    await shots.take(page, 'checkout page after subscribing');
    expect(await page.getByRole('status').innerText()).toBe('This checkout session is complete.');
    expect(await page.getByRole('button', { name: 'Subscribe' }).count()).toBe(0);
  });

  it('should make one subscription when Subscribe is double-clicked and clicked in a second tab', async () => {
    const shots = new Screenshots('checkout-double-click');
    const account = await suite.newAccount('Double click in a browser');
    const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_yearly' });
    const second = await page.context().newPage();
    const posts: string[] = [];
    for (const tab of [page, second])
      tab.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith('/complete')) posts.push(request.url());
      });
    await Promise.all([page.goto(checkout.url), second.goto(checkout.url)]);

    await Promise.all([
      page.getByRole('button', { name: 'Subscribe' }).dblclick(),
      second.getByRole('button', { name: 'Subscribe' }).click(),
    ]);
    await page.waitForLoadState();
    await second.waitForLoadState();
    await shots.take(page, 'first tab');
    await shots.take(second, 'second tab');

    expect(posts.length).toBeGreaterThanOrEqual(2);
    const landed = [page.url(), second.url()].filter((url) => url.startsWith(`${suite.client.origin}/done`));
    expect(landed.length).toBeGreaterThanOrEqual(1);
    expect(await suite.mySubscription(account)).toMatchObject({
      status: 'trialing',
      priceId: 'price_sandbox_yearly',
      otherLiveSubscriptions: 0,
    });
    const subscriptions = await suite.service.testApp.db.rows(
      sql`SELECT id FROM subscriptions WHERE account_id = ${account.accountId}`,
    );
    expect(subscriptions).toHaveLength(1);
    const sandboxSubscriptions = await suite.service.testApp.db
      .rows(sql`SELECT id FROM sandbox_objects WHERE kind = 'subscription' AND owner = (
         SELECT provider_customer_id FROM customers WHERE account_id = ${account.accountId})`);
    expect(sandboxSubscriptions).toHaveLength(1);
    await second.close();
  });

  it('should land on the cancel URL and change nothing when the person cancels', async () => {
    const shots = new Screenshots('checkout-cancel');
    const account = await suite.newAccount('Cancels in a browser');
    const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_yearly', quantity: 2 });

    await page.goto(checkout.url);
    await shots.take(page, 'checkout page');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${suite.client.origin}/pricing`);
    await shots.take(page, 'cancel url');

    expect(await page.locator('#location').innerText()).toBe(`${suite.client.origin}/pricing`);
    expect(await suite.mySubscription(account)).toBeNull();

    // The session is still open: the same page still offers to subscribe.
    await page.goto(checkout.url);
    await shots.take(page, 'checkout page reopened');
    expect(await page.getByRole('button', { name: 'Subscribe' }).isVisible()).toBe(true);
    expect(await page.getByTestId('quantity').innerText()).toBe('2');
    expect(await page.getByRole('status').count()).toBe(0);
  });
});
