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
import { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, reply, replyError, serve, stripeClient, text } from './plain-server';
import { BASELINE_ACCOUNT_ID, BASELINE_API_KEY, BASELINE_CUSTOMER_ID, SUBSCRIPTION_PRICE_ID } from './shared';

const EXPECTED_KEY = Buffer.from(BASELINE_API_KEY);

const stripe = stripeClient();

function keyMatches(presented: string | string[] | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const actual = Buffer.from(presented);
  return actual.length === EXPECTED_KEY.length && timingSafeEqual(actual, EXPECTED_KEY);
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

serve('baseline.ts', handle);
