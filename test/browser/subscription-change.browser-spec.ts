import { Page } from 'playwright-core';
import { TestAccount } from '../support/test-app';
import { Json, Screenshots, usePage, useBrowserSuite } from './browser-support';

// A change of subscription through the sandbox's change page, in Chromium: the change checkout
// the API makes (POST /api/billing/checkout with subscriptionId), its estimates on the page,
// Confirm or Cancel, and what /api/subscriptions/me says after; and a scheduled downgrade that
// happens when the portal advances to the renewal.

const dollars = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);

describe('Changing a subscription on the sandbox change page, in a browser', () => {
  const suite = useBrowserSuite({ TRIAL_DAYS: '0' });
  let page: Page;
  usePage(suite, (opened) => (page = opened));

  /** An active subscription, taken through the sandbox checkout (its form post, without a browser). */
  const subscribe = async (account: TestAccount, quantity = 1) => {
    const checkout = await suite.startCheckout(account, { priceId: 'price_sandbox_monthly', quantity });
    const completed = await fetch(`${checkout.url}/complete`, { method: 'POST', redirect: 'manual' });
    expect(completed.status).toBe(303);
    const subscription = await suite.mySubscription(account);
    expect(subscription).toMatchObject({ status: 'active', priceId: 'price_sandbox_monthly', quantity });
    return subscription;
  };

  const startChange = async (
    account: TestAccount,
    change: { subscriptionId: string; priceId?: string; quantity?: number },
  ) => {
    const { status, body } = await suite.api('POST', '/api/billing/checkout', {
      apiKey: account.apiKey,
      body: {
        ...change,
        successUrl: `${suite.client.origin}/billing/done`,
        cancelUrl: `${suite.client.origin}/billing`,
      },
    });
    expect({ status, success: body?.success }).toEqual({ status: 200, success: true });
    const data: Json = body.data;
    expect(data.url.startsWith(`${suite.service.url}/sandbox/change/`)).toBe(true);
    return data;
  };

  const field = (testId: string) => page.getByTestId(testId).innerText();

  it('should show an upgrade with its proration, confirm it, and switch the subscription at once', async () => {
    const shots = new Screenshots('subscription-change-upgrade');
    const account = await suite.newAccount('Upgrading in a browser');
    const before = await subscribe(account);

    const change = await startChange(account, { subscriptionId: before.id, priceId: 'price_sandbox_yearly' });

    // On the first day of the month: all 30 days of $15 credited, a year of $150 charged.
    expect(change.type).toBe('plan_change');
    expect(change.estimates.currentInvoice).toMatchObject({
      amountDue: 13500,
      total: 13500,
      currency: 'usd',
    });
    expect(change.estimates.nextInvoice).toMatchObject({ amountDue: 15000 });
    await page.goto(change.url);
    await shots.take(page, 'change page');

    expect(await page.title()).toBe('Confirm your change · Sandbox');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Confirm your change');
    expect(await field('from')).toBe('Pro plan (sandbox), $15.00 per month × 1');
    expect(await field('to')).toBe('Pro plan, yearly (sandbox), $150.00 per year × 1');
    expect(await field('effective')).toBe('Now');
    expect(await field('trial')).toBe('No trial');
    expect(await field('due-now')).toBe(dollars(change.estimates.currentInvoice.amountDue));
    expect(await field('next-invoice')).toMatch(/^\$150\.00 on [A-Z][a-z]+ \d{1,2}, \d{4}$/);
    const lines = page.getByRole('table', { name: 'Due now' }).locator('tbody').getByRole('row');
    expect(await lines.count()).toBe(2);
    expect(await lines.nth(0).innerText()).toContain('Unused time on 1 × Pro plan (sandbox)');
    expect(await lines.nth(0).innerText()).toContain('-$15.00');
    expect(await lines.nth(1).innerText()).toContain('$150.00');
    expect(await page.getByRole('button').allInnerTexts()).toEqual(['Confirm', 'Cancel']);

    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${suite.client.origin}/billing/done`));
    await shots.take(page, 'success url');

    const after = await suite.mySubscription(account);
    expect(after).toMatchObject({
      id: before.id,
      status: 'active',
      priceId: 'price_sandbox_yearly',
      quantity: 1,
    });
    expect(after.pendingChange ?? null).toBeNull();

    // The used change page only says what became of it.
    await page.goto(change.url);
    await shots.take(page, 'confirmed change page');
    expect(await page.getByRole('status').innerText()).toBe('This change has been made.');
    expect(await page.getByRole('button').count()).toBe(0);
  });

  it('should schedule a downgrade for the renewal, and make it happen when the portal advances to it', async () => {
    const shots = new Screenshots('subscription-change-scheduled-downgrade');
    const account = await suite.newAccount('Downgrading in a browser');
    const before = await subscribe(account, 3);

    const change = await startChange(account, { subscriptionId: before.id, quantity: 1 });

    expect(change.type).toBe('quantity_update');
    await page.goto(change.url);
    await shots.take(page, 'change page');
    expect(await field('from')).toBe('Pro plan (sandbox), $15.00 per month × 3');
    expect(await field('to')).toBe('Pro plan (sandbox), $15.00 per month × 1');
    expect(await field('effective')).toMatch(/^At the end of the period, on [A-Z][a-z]+ \d{1,2}, \d{4}$/);
    expect(await field('due-now')).toBe('$0.00');
    expect(await field('next-invoice')).toMatch(/^\$15\.00 on /);

    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${suite.client.origin}/billing/done`));

    const scheduled = await suite.mySubscription(account);
    expect(scheduled).toMatchObject({ id: before.id, quantity: 3 });
    expect(scheduled.pendingChange).toBeTruthy();

    const portal = await suite.api('POST', '/api/subscriptions/portal', {
      apiKey: account.apiKey,
      body: { returnUrl: `${suite.client.origin}/settings` },
    });
    expect(portal.status).toBe(200);
    await page.goto(portal.body.url);
    const subscription = page.getByRole('region', { name: 'Pro plan (sandbox)' });
    expect(await subscription.getByTestId('scheduled-change').innerText()).toContain('× 1, at the renewal');
    await shots.take(page, 'portal with the scheduled change');

    await subscription.getByRole('button', { name: 'Advance to the next renewal' }).click();
    await page.waitForURL(portal.body.url);
    await shots.take(page, 'portal after the renewal');

    expect(await subscription.getByTestId('scheduled-change').count()).toBe(0);
    expect(await subscription.innerText()).toContain('$15.00 per month × 1');
    const after = await suite.mySubscription(account);
    expect(after).toMatchObject({ id: before.id, status: 'active', quantity: 1 });
    expect(after.pendingChange ?? null).toBeNull();
  });

  it('should change nothing when the person cancels on the change page', async () => {
    const account = await suite.newAccount('Changing their mind in a browser');
    const before = await subscribe(account);
    const change = await startChange(account, { subscriptionId: before.id, priceId: 'price_sandbox_yearly' });
    await page.goto(change.url);

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${suite.client.origin}/billing`);

    expect(await suite.mySubscription(account)).toMatchObject({
      id: before.id,
      priceId: 'price_sandbox_monthly',
      quantity: 1,
    });
  });
});
