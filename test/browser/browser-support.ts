import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { escapeHtml } from '../../src/payments/sandbox/sandbox-html';
import { freePort } from '../support/service-process';
import { createAccount, startTestApp, TestAccount, TestApp } from '../support/test-app';

/** Debian's Chromium (`apt-get install chromium`); the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless on a closed network: no sandbox (containers), no GPU, nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

const SCREENSHOTS_ROOT = join(__dirname, '..', '..', 'test-results', 'screenshots');

/** How long one browser action (a click, a navigation, an assertion's wait) may take. */
const ACTION_TIMEOUT_MS = 10_000;

/** Fails (never skips) when the browser is missing, saying how to install it. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests drive Debian's Chromium at ${CHROMIUM_PATH}, which is not installed. ` +
        'Install it with `apt-get update && apt-get install -y chromium` ' +
        '(never `npx playwright install`: the tests use playwright-core with the system browser).',
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh browser context (no cookies, no local storage) and its one page. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  return { context, page };
}

/** A fresh page (in a context of its own) for each test of the block, handed over through `use`. */
export function usePage(suite: BrowserSuite, use: (page: Page) => void): void {
  let context: BrowserContext | undefined;
  beforeEach(async () => {
    const opened = await openPage(suite.browser);
    context = opened.context;
    use(opened.page);
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
}

/** The service, built as the e2e tests build it (sandbox provider, SQLite), listening on a real port. */
export interface ListeningService {
  testApp: TestApp;
  /** `http://localhost:<port>`: PUBLIC_URL, so the sandbox pages' URLs point here. */
  url: string;
  close(): Promise<void>;
}

export async function startListeningService(env: Record<string, string> = {}): Promise<ListeningService> {
  // PUBLIC_URL needs the port before the app is built; another process may take a free port
  // between freePort() and listen() on a busy machine, so a taken one is tried again.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const testApp = await startTestApp({
      PAYMENT_PROVIDER: 'sandbox',
      PUBLIC_URL: url,
      TRIAL_DAYS: '30',
      ...env,
    });
    try {
      await testApp.app.listen(port, '127.0.0.1');
      return { testApp, url, close: () => testApp.close() };
    } catch (error) {
      await testApp.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw error;
    }
  }
}

/**
 * The client application's own pages (success, cancel and return URLs): each answers a small HTML
 * page that shows the URL it was reached at. `http://localhost:*` is an allowed redirect origin.
 */
export interface ClientSite {
  origin: string;
  /** Every path (with its query) requested so far, in order. */
  visits: string[];
  close(): Promise<void>;
}

export async function startClientSite(): Promise<ClientSite> {
  const visits: string[] = [];
  let origin = '';
  const server = createServer((request, response) => {
    visits.push(request.url ?? '/');
    const href = `${origin}${request.url ?? '/'}`;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Client application</title></head>' +
        '<body><main><h1>Client application</h1>' +
        `<p>You are at <output id="location">${escapeHtml(href)}</output></p></main></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    visits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Everything one browser spec file needs, started before its tests and stopped after them. */
export interface BrowserSuite {
  browser: Browser;
  service: ListeningService;
  client: ClientSite;
  newAccount(name?: string): Promise<TestAccount>;
  api<T = Json>(method: 'GET' | 'POST', path: string, options?: ApiCall): Promise<ApiAnswer<T>>;
  /** POST /api/billing/checkout back to the client site (/done, /pricing); asserts it succeeded. */
  startCheckout(
    account: TestAccount,
    checkout: { priceId: string; quantity?: number },
  ): Promise<CheckoutData>;
  /** GET /api/subscriptions/me; asserts 200 and returns the subscription (or null). */
  mySubscription(account: TestAccount): Promise<Json>;
}

export interface CheckoutData {
  sessionId: string;
  url: string;
}

/** A JSON answer, read as freely as supertest's `body` in the e2e tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiCall {
  apiKey?: string;
  body?: unknown;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in once they have run. */
export function useBrowserSuite(env: Record<string, string> = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    requireChromium();
    // The browser starts while the service boots; whatever started is stopped by afterAll.
    const [browser, service, client] = await Promise.allSettled([
      launchChromium(),
      startListeningService(env),
      startClientSite(),
    ]);
    Object.assign(suite, {
      browser: browser.status === 'fulfilled' ? browser.value : undefined,
      service: service.status === 'fulfilled' ? service.value : undefined,
      client: client.status === 'fulfilled' ? client.value : undefined,
      newAccount: (name?: string) => createAccount(suite.service.testApp, { name }),
      api: (method: 'GET' | 'POST', path: string, options: ApiCall = {}) =>
        callApi(suite.service.url, method, path, options),
      startCheckout: async (account: TestAccount, checkout: { priceId: string; quantity?: number }) => {
        const { status, body } = await suite.api('POST', '/api/billing/checkout', {
          apiKey: account.apiKey,
          body: {
            ...checkout,
            successUrl: `${suite.client.origin}/done?session={CHECKOUT_SESSION_ID}`,
            cancelUrl: `${suite.client.origin}/pricing`,
          },
        });
        expect({ status, success: body.success }).toEqual({ status: 200, success: true });
        return body.data as CheckoutData;
      },
      mySubscription: async (account: TestAccount) => {
        const { status, body } = await suite.api('GET', '/api/subscriptions/me', { apiKey: account.apiKey });
        expect(status).toBe(200);
        return body.subscription;
      },
    });
    for (const started of [browser, service, client]) {
      if (started.status === 'rejected') throw started.reason;
    }
  });
  afterAll(async () => {
    await Promise.all([suite.browser?.close(), suite.service?.close(), suite.client?.close()]);
  });
  return suite;
}

export async function callApi<T = Json>(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: ApiCall = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/**
 * Screenshots of each step of one test, in test-results/screenshots/<test>/<nn>-<step>.png
 * (git-ignored). The folder is emptied first, so it shows the last run only.
 */
export class Screenshots {
  private count = 0;
  readonly dir: string;

  constructor(test: string) {
    this.dir = join(SCREENSHOTS_ROOT, slug(test));
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * The whole page by default; with `focus`, the viewport scrolled to that element (for long
   * pages such as Swagger UI, where the whole page is many screens high).
   */
  async take(page: Page, step: string, focus?: Locator): Promise<string> {
    this.count += 1;
    const path = join(this.dir, `${String(this.count).padStart(2, '0')}-${slug(step)}.png`);
    if (focus) await focus.scrollIntoViewIfNeeded();
    await page.screenshot({ path, fullPage: focus === undefined });
    return path;
  }
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
