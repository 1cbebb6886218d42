import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core';
import { sqliteFileDatabase, TestDatabase } from '../support/database';
import { freePort, ServiceProcess, startServiceProcess } from '../support/service-process';
import { callApi, launchChromium, openPage, requireChromium, Screenshots } from './browser-support';

// A newcomer's first hour, as the README tells it, in Chromium against the service as its own
// process (sandbox provider, embedded SQLite, the default redirect origins): a key from
// `npm run cli -- setup`, `/` on to the docs, Try it out on the sessions and checkout operations
// with the examples the document ships, subscribing on the sandbox and landing on its return
// page, then the portal: end the trial, fail the next payment, and see `past_due` after the renewal.

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

const SESSIONS = '#operations-subscriptions-SubscriptionSessionsController_createSubscriptionSession';
const CHECKOUT = '#operations-billing-BillingController_createCheckout';

describe("A newcomer's first hour, in a browser", () => {
  let database: TestDatabase;
  let service: ServiceProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let env: Record<string, string>;

  beforeAll(async () => {
    requireChromium();
    database = sqliteFileDatabase();
    const port = await freePort();
    // What a newcomer has: no settings at all but the database file and the port.
    env = { DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'warn' };
    const [started, launched] = await Promise.allSettled([startServiceProcess(env), launchChromium()]);
    if (started.status === 'fulfilled') service = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched]) if (result.status === 'rejected') throw result.reason;
    ({ context, page } = await openPage(browser));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await service?.stop();
    await database?.drop();
  });

  const base = () => `http://localhost:${env.PORT}`;

  /** Clicks Execute on an operation; the request the page sent and the answer it shows for it. */
  const execute = async (operation: Locator, path: string) => {
    const [request] = await Promise.all([
      page.waitForRequest((sent: Request) => sent.url() === `${base()}${path}`),
      operation.getByRole('button', { name: 'Execute' }).click(),
    ]);
    const response = await request.response();
    const requestId = await response!.headerValue('x-request-id');
    const shown = operation.locator('.live-responses-table .response', { hasText: requestId! });
    await shown.waitFor();
    const status = (await shown.locator('.response-col_status').innerText()).trim();
    const body = JSON.parse(
      await shown.locator('.response-col_description .highlight-code code').innerText(),
    );
    return { status, body, sent: request.postDataJSON() };
  };

  it('should take a newcomer from a key to a past-due subscription with the shipped examples only', async () => {
    const shots = new Screenshots('first-hour');

    // 1. A first key in one step.
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        'src/cli/main.ts',
        'setup',
        '--name',
        'My first app',
        '--email',
        'me@example.com',
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env } },
    );
    expect(stderr).toBe('');
    const setup = JSON.parse(stdout) as { accountId: string; apiKey: string; try: string };
    expect(setup.apiKey).toMatch(/^bsk_/);
    expect(setup.try).toContain(base());

    // 2. The service's address leads to its docs.
    await page.goto(base());
    expect(new URL(page.url()).pathname).toBe('/docs');
    await page.locator(SESSIONS).waitFor();
    await shots.take(page, 'docs at the root');

    // 3. Authorize with the key, then Try it out on the sessions operation as shipped.
    await page.locator('.scheme-container').getByRole('button', { name: 'Authorize', exact: true }).click();
    const dialog = page.locator('.modal-ux');
    const apiKeyScheme = dialog.locator('.auth-container').filter({ hasText: 'apiKeyAuth' });
    await apiKeyScheme.getByRole('textbox').fill(setup.apiKey);
    await apiKeyScheme.getByRole('button', { name: 'Apply credentials' }).click();
    await apiKeyScheme.getByRole('heading', { name: 'Authorized' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).first().click();

    const sessions = page.locator(SESSIONS);
    await sessions.locator('.opblock-summary').click();
    await sessions.getByRole('button', { name: 'Try it out' }).click();
    const session = await execute(sessions, '/api/subscriptions/sessions');
    await shots.take(page, 'sessions tried out', sessions.locator('.live-responses-table'));
    expect(session.status).toBe('200');
    expect(session.sent.successUrl).toBe(`${base()}/sandbox/return?checkout=success`);
    expect(session.body.url).toBe(`${base()}/sandbox/checkout/${session.body.id}`);

    // 4. And on the checkout operation: its first example is the sandbox's.
    const checkout = page.locator(CHECKOUT);
    await checkout.locator('.opblock-summary').click();
    await checkout.getByRole('button', { name: 'Try it out' }).click();
    const started = await execute(checkout, '/api/billing/checkout');
    await shots.take(page, 'checkout tried out', checkout.locator('.live-responses-table'));
    expect(started.status).toBe('200');
    expect(started.sent.priceId).toBe('price_sandbox_monthly');
    expect(started.body).toMatchObject({ success: true, data: { type: 'new_subscription' } });

    // 5. Subscribe on the sandbox, and land on its return page.
    await page.goto(started.body.data.url);
    await shots.take(page, 'sandbox checkout');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.pathname === '/sandbox/return');
    await shots.take(page, 'return page');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Checkout complete');
    expect(new URL(page.url()).searchParams.get('session_id')).toBe(started.body.data.sessionId);

    const me = async () =>
      (await callApi(base(), 'GET', '/api/subscriptions/me', { apiKey: setup.apiKey })).body.subscription;
    expect(await me()).toMatchObject({ status: 'trialing', priceId: 'price_sandbox_monthly' });

    // 6. The portal: end the trial, then fail the next payment and renew.
    const portal = await callApi(base(), 'POST', '/api/subscriptions/portal', {
      apiKey: setup.apiKey,
      body: { returnUrl: `${base()}/sandbox/return?portal=returned` },
    });
    expect(portal.status).toBe(200);
    await page.goto(portal.body.url);
    await shots.take(page, 'portal');
    await page.getByRole('button', { name: 'End the trial now' }).click();
    await page.getByRole('button', { name: 'Fail the next payment' }).waitFor();
    expect(await me()).toMatchObject({ status: 'active' });
    await page.getByRole('button', { name: 'Fail the next payment' }).click();
    await page.getByRole('button', { name: 'Advance to the next renewal' }).click();
    await page.getByRole('button', { name: 'Advance to the next renewal' }).waitFor();
    await shots.take(page, 'portal after a failed renewal');
    expect(await me()).toMatchObject({ status: 'past_due' });

    await page.getByRole('link', { name: 'Return to the application' }).click();
    await page.waitForURL((url) => url.pathname === '/sandbox/return');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Back from the billing portal');
    await shots.take(page, 'back from the portal');
  }, 90_000);
});
