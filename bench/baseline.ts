/**
 * The benchmark's baseline: the least a server can do to answer the four endpoints. A bare
 * `node:http` server that checks `x-api-key` against one static key, parses the JSON body and
 * makes the same `stripe` SDK call as the service, with the same SDK settings, against the same
 * upstream, answering the same JSON shapes; `GET /api/subscriptions/me` answers one fixed
 * subscription, in the service's shape. No framework, no database, no guarantees (no
 * customer per account, no duplicate-checkout check, no trial bookkeeping, no redirect policy,
 * no idempotency, no logging, no rate limit).
 *
 * Started by run.ts with an IPC channel (env: PORT, STRIPE_API_URL, and the service's
 * STRIPE_TIMEOUT_MS / STRIPE_MAX_NETWORK_RETRIES when set); exits when that channel closes.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../src/payments/stripe/stripe-clients.factory';
import {
  BASELINE_ACCOUNT_ID,
  BASELINE_API_KEY,
  BASELINE_CUSTOMER_ID,
  ChildMessage,
  STRIPE_SECRET_KEY,
  SUBSCRIPTION_PRICE_ID,
} from './shared';

const MAX_BODY_BYTES = 100 * 1024;
const EXPECTED_KEY = Buffer.from(BASELINE_API_KEY);

const send = (message: ChildMessage) => process.send?.(message);

/** The service's defaults (src/config/load-config.ts) unless the orchestrator passes others. */
function stripeClient(): Stripe {
  const endpoint = new URL(process.env.STRIPE_API_URL ?? 'http://127.0.0.1:12111');
  return new Stripe(STRIPE_SECRET_KEY, {
    // The settings of src/payments/stripe/stripe-clients.factory.ts, one by one.
    apiVersion: STRIPE_API_VERSION,
    timeout: Number(process.env.STRIPE_TIMEOUT_MS ?? 10_000),
    maxNetworkRetries: Number(process.env.STRIPE_MAX_NETWORK_RETRIES ?? 2),
    telemetry: false,
    appInfo: { name: 'billing-sessions-service' },
    protocol: endpoint.protocol === 'http:' ? 'http' : 'https',
    host: endpoint.hostname,
    port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)),
  });
}

const stripe = stripeClient();

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function keyMatches(presented: string | string[] | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const actual = Buffer.from(presented);
  return actual.length === EXPECTED_KEY.length && timingSafeEqual(actual, EXPECTED_KEY);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'Invalid JSON body');
  }
}

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `${field} is required`);
  return value;
}

/** POST /api/subscriptions/sessions: a subscription checkout of SUBSCRIPTION_PRICE_ID → {id, url}. */
async function subscriptionSession(body: Record<string, unknown>): Promise<unknown> {
  const metadata = { accountId: BASELINE_ACCOUNT_ID };
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: BASELINE_CUSTOMER_ID,
    line_items: [{ price: SUBSCRIPTION_PRICE_ID, quantity: 1 }],
    success_url: text(body, 'successUrl'),
    client_reference_id: BASELINE_ACCOUNT_ID,
    metadata,
    // A returning customer: the service gives no second trial, so neither does the baseline.
    subscription_data: { metadata },
  });
  return { id: session.id, url: session.url };
}

/** POST /api/billing/checkout: a checkout for the given price → {success, data: {sessionId, url}}. */
async function billingCheckout(body: Record<string, unknown>): Promise<unknown> {
  const callerMetadata =
    body.metadata && typeof body.metadata === 'object' ? (body.metadata as Record<string, string>) : {};
  const metadata = { ...callerMetadata, accountId: BASELINE_ACCOUNT_ID };
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: BASELINE_CUSTOMER_ID,
    line_items: [{ price: text(body, 'priceId'), quantity: 1 }],
    success_url: text(body, 'successUrl'),
    cancel_url: text(body, 'cancelUrl'),
    client_reference_id: BASELINE_ACCOUNT_ID,
    metadata,
    subscription_data: { metadata },
  });
  return { success: true, data: { sessionId: session.id, url: session.url } };
}

/** POST /api/subscriptions/portal: a billing-portal session → {id, url}. */
async function portalSession(body: Record<string, unknown>): Promise<unknown> {
  const session = await stripe.billingPortal.sessions.create({
    customer: BASELINE_CUSTOMER_ID,
    return_url: text(body, 'returnUrl'),
  });
  return { id: session.id, url: session.url };
}

/** GET /api/subscriptions/me: one fixed subscription, as the service shows a seeded one. */
const MY_SUBSCRIPTION = {
  subscription: {
    id: 'sub_bench_baseline',
    status: 'active',
    priceId: SUBSCRIPTION_PRICE_ID,
    quantity: 1,
    trialEnd: null,
    currentPeriodStart: '2026-01-01T00:00:00.000Z',
    currentPeriodEnd: '2026-01-31T00:00:00.000Z',
    cancelAtPeriodEnd: false,
    cancelAt: null,
    pendingChange: null,
    mode: 'live',
    otherLiveSubscriptions: 0,
  },
};

const ROUTES: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
  '/api/subscriptions/sessions': subscriptionSession,
  '/api/billing/checkout': billingCheckout,
  '/api/subscriptions/portal': portalSession,
};

function reply(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Errors in each endpoint's own shape, like the service's. */
function replyError(response: ServerResponse, path: string, status: number, message: string): void {
  if (path === '/api/billing/checkout') {
    const code = status === 401 ? 'UNAUTHORIZED' : status === 400 ? 'BAD_REQUEST' : 'PAYMENT_PROVIDER_ERROR';
    reply(response, status, { success: false, error: { code, message } });
  } else {
    reply(response, status, { error: message });
  }
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && path === '/health') return reply(response, 200, { status: 'ok' });
  if (request.method === 'GET' && path === '/api/subscriptions/me') {
    if (!keyMatches(request.headers['x-api-key']))
      return replyError(response, path, 401, 'Authentication required');
    return reply(response, 200, MY_SUBSCRIPTION);
  }
  const route = request.method === 'POST' ? ROUTES[path] : undefined;
  if (!route) return reply(response, 404, { error: 'Not found' });
  try {
    if (!keyMatches(request.headers['x-api-key'])) throw new HttpError(401, 'Authentication required');
    const body = await readJson(request);
    reply(response, 200, await route(body));
  } catch (error) {
    if (error instanceof HttpError) return replyError(response, path, error.status, error.message);
    replyError(response, path, 502, 'The payment provider failed');
  }
}

async function main(): Promise<void> {
  if (!process.send)
    throw new Error('bench/baseline.ts is started by bench/run.ts (it needs an IPC channel)');
  const server = createServer((request, response) => void handle(request, response));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
