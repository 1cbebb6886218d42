/**
 * The benchmark's glue baseline: what a team would write instead of the service, with no
 * framework. A `node:http` server, a `pg` Pool and the `stripe` SDK (the same settings as the
 * service's and the bare baseline's), against the same upstream and the service's own database
 * schema, with the rows the benchmark seeded for the service. Per request it does the database
 * work the endpoint needs, with the schema's existing indexes, and nothing more:
 *
 * - every request: the API key (`bsk_<key id, 32 hex>_<secret>`) is looked up by id in
 *   `api_keys` (its primary key), the SHA-256 of the secret compared in constant time, revoked
 *   and expired keys refused (401). No cache: one query per request.
 * - `GET /api/subscriptions/me`: the account's current subscription (Stripe, live mode) in one
 *   query, as the service's findCurrent orders them, answered in the service's shape.
 * - `POST /api/subscriptions/portal`: the account's `customers` row, then the SDK's
 *   billingPortal.sessions.create.
 * - `POST /api/subscriptions/sessions` and `POST /api/billing/checkout`, for returning customers
 *   only (an account without a customer row gets 404): the customer row, the SDK's
 *   checkout.sessions.create as the bare baseline calls it, then an INSERT of the open checkout
 *   into `checkout_sessions`. The schema allows one open subscription checkout per account: a
 *   second one for an account is refused (409), so the benchmark sends each request from a fresh
 *   account, as it does to the service.
 *
 * None of the service's guarantees (no customer made for a new account, no duplicate-checkout
 * check before the provider is called, no trial bookkeeping, no redirect policy, no idempotency,
 * no logging, no rate limit, no outbound events).
 *
 * Started by run.ts with an IPC channel (env: PORT, DATABASE_URL, STRIPE_API_URL, PG_POOL_MAX,
 * and the service's STRIPE_TIMEOUT_MS / STRIPE_MAX_NETWORK_RETRIES when set); exits when that
 * channel closes.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Pool, QueryConfig, QueryResultRow } from 'pg';
import type Stripe from 'stripe';
import { HttpError, readJson, reply, replyError, serve, stripeClient, text } from './plain-server';
import { SUBSCRIPTION_PRICE_ID } from './shared';

/** The service's default pool size (postgresPoolConfig() in src/database/data-source.ts), which run.ts passes. */
const POOL_SIZE = Number(process.env.PG_POOL_MAX ?? 10);
const PROVIDER = 'stripe';
const MODE = 'live';
/** The statuses of a live subscription (LIVE_SUBSCRIPTION_STATUSES in src/subscriptions). */
const LIVE = `'active', 'trialing', 'past_due'`;
const KEY_PATTERN = /^bsk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

const stripe = stripeClient();
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: POOL_SIZE });
// An idle connection the server closed: the pool opens another when one is needed.
pool.on('error', () => undefined);

/**
 * One statement, named so that each pool connection parses and plans it once (as the service's
 * statements are), on whichever pool connection is free. A failure of the database is a 503.
 */
async function query<R extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<R[]> {
  try {
    return (await pool.query<R>({ name, text, values } satisfies QueryConfig)).rows;
  } catch (error) {
    if ((error as { code?: unknown }).code === '23505') throw error;
    throw new HttpError(503, 'The database is unavailable');
  }
}

interface ApiKeyRow {
  account_id: string;
  secret_hash: string;
  revoked_at: Date | null;
  expires_at: Date | null;
}

/** The account the presented API key stands for; 401 for anything else. */
async function authenticate(presented: string | string[] | undefined): Promise<string> {
  const match = typeof presented === 'string' ? KEY_PATTERN.exec(presented) : null;
  if (!match) throw new HttpError(401, 'Authentication required');
  const hex = match[1];
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const [row] = await query<ApiKeyRow>(
    'glue_api_key',
    'SELECT account_id, secret_hash, revoked_at, expires_at FROM api_keys WHERE id = $1',
    [id],
  );
  if (!row) throw new HttpError(401, 'Authentication required');
  const actual = createHash('sha256').update(match[2]).digest();
  const expected = Buffer.from(row.secret_hash, 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new HttpError(401, 'Authentication required');
  const now = Date.now();
  if (
    (row.revoked_at && row.revoked_at.getTime() <= now) ||
    (row.expires_at && row.expires_at.getTime() <= now)
  )
    throw new HttpError(401, 'Authentication required');
  return row.account_id;
}

/** The account's Stripe customer (live mode), by the unique (account_id, provider, mode) index. */
async function customerOf(accountId: string): Promise<string> {
  const [row] = await query<{ provider_customer_id: string }>(
    'glue_customer',
    'SELECT provider_customer_id FROM customers WHERE account_id = $1 AND provider = $2 AND mode = $3',
    [accountId, PROVIDER, MODE],
  );
  if (!row) throw new HttpError(404, 'No billing customer exists for this account yet');
  return row.provider_customer_id;
}

/**
 * A subscription checkout made at the provider, and recorded as open: the one row the schema
 * needs (its NOT NULL columns, the session's id, url and expiry). A second open subscription
 * checkout of the account breaks the partial unique index: 409.
 */
async function checkout(
  accountId: string,
  priceId: string,
  params: Omit<Stripe.Checkout.SessionCreateParams, 'mode' | 'customer' | 'line_items'>,
): Promise<Stripe.Checkout.Session> {
  const customer = await customerOf(accountId);
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    line_items: [{ price: priceId, quantity: 1 }],
    ...params,
  });
  const now = new Date();
  try {
    await query(
      'glue_insert_checkout',
      `INSERT INTO checkout_sessions
         (id, account_id, provider, mode, checkout_mode, price_id, quantity, status, provider_session_id,
          url, expires_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'subscription', $5, 1, 'open', $6, $7, $8, $9, $9)`,
      [
        randomUUID(),
        accountId,
        PROVIDER,
        MODE,
        priceId,
        session.id,
        session.url,
        new Date(session.expires_at * 1000),
        now,
      ],
    );
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(409, 'A checkout is already open for this account');
  }
  return session;
}

/** POST /api/subscriptions/sessions: a subscription checkout of SUBSCRIPTION_PRICE_ID → {id, url}. */
async function subscriptionSession(accountId: string, body: Record<string, unknown>): Promise<unknown> {
  const metadata = { accountId };
  const session = await checkout(accountId, SUBSCRIPTION_PRICE_ID, {
    success_url: text(body, 'successUrl'),
    client_reference_id: accountId,
    metadata,
    // A returning customer: no second trial.
    subscription_data: { metadata },
  });
  return { id: session.id, url: session.url };
}

/** POST /api/billing/checkout: a checkout for the given price → {success, data: {sessionId, url}}. */
async function billingCheckout(accountId: string, body: Record<string, unknown>): Promise<unknown> {
  const callerMetadata =
    body.metadata && typeof body.metadata === 'object' ? (body.metadata as Record<string, string>) : {};
  const metadata = { ...callerMetadata, accountId };
  const session = await checkout(accountId, text(body, 'priceId'), {
    success_url: text(body, 'successUrl'),
    cancel_url: text(body, 'cancelUrl'),
    client_reference_id: accountId,
    metadata,
    subscription_data: { metadata },
  });
  return { success: true, data: { sessionId: session.id, url: session.url } };
}

/** POST /api/subscriptions/portal: a billing-portal session for the account's customer → {id, url}. */
async function portalSession(accountId: string, body: Record<string, unknown>): Promise<unknown> {
  const returnUrl = text(body, 'returnUrl');
  const session = await stripe.billingPortal.sessions.create({
    customer: await customerOf(accountId),
    return_url: returnUrl,
  });
  return { id: session.id, url: session.url };
}

interface SubscriptionRow {
  provider_subscription_id: string;
  mode: string;
  status: string;
  price_id: string | null;
  quantity: number;
  trial_end: Date | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  cancel_at: Date | null;
  other_live: string;
}

/**
 * GET /api/subscriptions/me → {subscription: null | {...}}, the shape of the service's
 * toSubscriptionView (src/subscriptions/subscription-view.ts). The query is the service's
 * findCurrent (live ones first, then the newest; the ix_subscriptions_account index) WITHOUT its
 * LEFT JOIN of a scheduled change (subscription_changes): pendingChange is always null here.
 * The count of the account's other live subscriptions is kept (a subquery on the same index).
 */
async function mySubscription(accountId: string): Promise<unknown> {
  const [row] = await query<SubscriptionRow>(
    'glue_current_subscription',
    `SELECT s.provider_subscription_id, s.mode, s.status, s.price_id, s.quantity, s.trial_end,
            s.current_period_start, s.current_period_end, s.cancel_at_period_end, s.cancel_at,
            (SELECT COUNT(*) FROM subscriptions l
              WHERE l.account_id = s.account_id AND l.provider = s.provider AND l.mode = s.mode
                AND l.status IN (${LIVE}) AND l.id <> s.id) AS other_live
       FROM subscriptions s
      WHERE s.account_id = $1 AND s.provider = $2 AND s.mode = $3
      ORDER BY CASE WHEN s.status IN (${LIVE}) THEN 0 ELSE 1 END, s.created_at DESC,
               s.provider_subscription_id DESC
      LIMIT 1`,
    [accountId, PROVIDER, MODE],
  );
  if (!row) return { subscription: null };
  const cancelAt = row.cancel_at ?? (row.cancel_at_period_end ? row.current_period_end : null);
  return {
    subscription: {
      id: row.provider_subscription_id,
      status: row.status,
      priceId: row.price_id,
      quantity: row.quantity,
      trialEnd: row.trial_end?.toISOString() ?? null,
      currentPeriodStart: row.current_period_start?.toISOString() ?? null,
      currentPeriodEnd: row.current_period_end?.toISOString() ?? null,
      cancelAtPeriodEnd: row.cancel_at_period_end,
      cancelAt: cancelAt?.toISOString() ?? null,
      pendingChange: null,
      mode: row.mode === 'test' ? 'test' : 'live',
      otherLiveSubscriptions: Number(row.other_live),
    },
  };
}

const POST_ROUTES: Record<string, (accountId: string, body: Record<string, unknown>) => Promise<unknown>> = {
  '/api/subscriptions/sessions': subscriptionSession,
  '/api/billing/checkout': billingCheckout,
  '/api/subscriptions/portal': portalSession,
};

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && path === '/health') return reply(response, 200, { status: 'ok' });
  const isMe = request.method === 'GET' && path === '/api/subscriptions/me';
  const route = request.method === 'POST' ? POST_ROUTES[path] : undefined;
  if (!isMe && !route) return reply(response, 404, { error: 'Not found' });
  try {
    const accountId = await authenticate(request.headers['x-api-key']);
    if (isMe) return reply(response, 200, await mySubscription(accountId));
    const body = await readJson(request);
    reply(response, 200, await route!(accountId, body));
  } catch (error) {
    if (error instanceof HttpError) return replyError(response, path, error.status, error.message);
    replyError(response, path, 502, 'The payment provider failed');
  }
}

serve('glue.ts', handle, async () => {
  if (!process.env.DATABASE_URL) throw new Error('bench/glue.ts needs DATABASE_URL (postgres://…)');
  // Fail at start, not at the first request, when the database is not there.
  await pool.query('SELECT 1');
});
