import { Page } from 'playwright-core';
import { TestAccount } from '../support/test-app';
import { Screenshots, usePage, useBrowserSuite } from './browser-support';

// The sandbox's billing portal, in Chromium: the subscription and its invoices, "Cancel at period
// end", and the way back to the client application.

/** A day as the sandbox pages write it ("March 31, 2031", in UTC). */
const readableDay = (value: string | Date) =>
  new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(value));

describe('The sandbox billing portal, in a browser', () => {
  const suite = useBrowserSuite({ TRIAL_DAYS: '30' });
  let page: Page;
  usePage(suite, (opened) => (page = opened));

  /** A trialing subscription, taken through the sandbox checkout (its form post, without a browser). */
  const subscribe = async (account: TestAccount) => {
    const session = await suite.api('POST', '/api/subscriptions/sessions', {
      apiKey: account.apiKey,
      body: { successUrl: `${suite.client.origin}/welcome` },
    });
    expect(session.status).toBe(200);
    const completed = await fetch(`${session.body.url}/complete`, { method: 'POST', redirect: 'manual' });
    expect(completed.status).toBe(303);
  };

  it('should show the subscription and its invoices, cancel at period end, and return to the application', async () => {
    const shots = new Screenshots('portal-cancel-at-period-end');
    const account = await suite.newAccount('Portal in a browser');
    const firstDay = readableDay(new Date());
    await subscribe(account);
    const before = await suite.mySubscription(account);
    expect(before).toMatchObject({ status: 'trialing', cancelAtPeriodEnd: false });
    const returnUrl = `${suite.client.origin}/settings`;
    const portal = await suite.api('POST', '/api/subscriptions/portal', {
      apiKey: account.apiKey,
      body: { returnUrl },
    });
    expect(portal.status).toBe(200);
    expect(portal.body.url).toBe(`${suite.service.url}/sandbox/portal/${portal.body.id}`);

    await page.goto(portal.body.url);
    await shots.take(page, 'portal');

    expect(await page.title()).toBe('Billing portal · Sandbox');
    expect(await page.getByRole('banner').innerText()).toMatch(/^Sandbox: /);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Billing portal');
    const subscription = page.getByRole('region', { name: 'Pro plan (sandbox)' });
    expect(await subscription.getByTestId('status').innerText()).toBe('trialing');
    expect(await subscription.getByTestId('period-end').innerText()).toBe(
      readableDay(before.currentPeriodEnd),
    );
    expect(await subscription.innerText()).toContain('Renews on');
    const invoices = page.getByRole('table', { name: 'Invoices' });
    expect(await invoices.getByRole('columnheader').allInnerTexts()).toEqual([
      'Date',
      'Description',
      'Amount',
      'Status',
    ]);
    const rows = invoices.locator('tbody').getByRole('row');
    expect(await rows.count()).toBe(1);
    const [date, ...cells] = await rows.first().getByRole('cell').allInnerTexts();
    expect([firstDay, readableDay(new Date())]).toContain(date);
    expect(cells).toEqual(['Pro plan (sandbox) × 1', '$0.00', 'paid']);

    await subscription.getByRole('button', { name: 'Cancel at period end' }).click();
    // The form answers 303 back to this same portal URL, now saying how the subscription ends.
    await subscription.getByRole('status').waitFor();
    await shots.take(page, 'cancels at period end');

    expect(page.url()).toBe(portal.body.url);
    expect(await subscription.getByRole('status').innerText()).toBe('Cancels at the end of the period.');
    expect(await subscription.innerText()).toContain('Ends on');
    expect(await subscription.getByRole('button', { name: 'Keep subscription' }).isVisible()).toBe(true);
    expect(await subscription.getByRole('button', { name: 'Cancel at period end' }).count()).toBe(0);
    expect(await subscription.getByTestId('status').innerText()).toBe('trialing');

    await page.getByRole('link', { name: 'Return to the application' }).click();
    await page.waitForURL(returnUrl);
    await shots.take(page, 'return url');

    expect(await page.locator('#location').innerText()).toBe(returnUrl);
    expect(await suite.mySubscription(account)).toMatchObject({
      id: before.id,
      status: 'trialing',
      cancelAtPeriodEnd: true,
      currentPeriodEnd: before.currentPeriodEnd,
    });
  });
});
