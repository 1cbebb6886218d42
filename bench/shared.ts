/**
 * Settings the benchmark's processes share: the orchestrator (run.ts), the Stripe-shaped
 * upstream (upstream.ts), the bare baseline server (baseline.ts) and the glue baseline (glue.ts).
 * Nothing here is secret: the keys only open the benchmark's own fake upstream.
 */

export const STRIPE_SECRET_KEY = 'sk_test_benchmark';
export const STRIPE_WEBHOOK_SECRET = 'whsec_benchmark_signing_secret';
/** The price of `/api/subscriptions/sessions` (SUBSCRIPTION_PRICE_ID). */
export const SUBSCRIPTION_PRICE_ID = 'price_bench_monthly';
/** The price the benchmark buys through `/api/billing/checkout`. */
export const CHECKOUT_PRICE_ID = 'price_bench_pro_monthly';
export const TRIAL_DAYS = 30;
export const APP_ORIGIN = 'https://app.example.com';

export const SUCCESS_URL = `${APP_ORIGIN}/welcome?session_id={CHECKOUT_SESSION_ID}`;
export const CANCEL_URL = `${APP_ORIGIN}/pricing?checkout=cancelled`;
export const RETURN_URL = `${APP_ORIGIN}/settings/billing`;

/** The one API key the baseline accepts (it has no database), and whom it stands for. */
export const BASELINE_API_KEY = `bsk_${'0'.repeat(31)}1_${'b'.repeat(43)}`;
export const BASELINE_ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';
export const BASELINE_CUSTOMER_ID = 'cus_bench_baseline';

/** The endpoints measured against the baselines, with the requests every server gets. */
export const ENDPOINTS = [
  {
    key: 'sessions',
    method: 'POST',
    path: '/api/subscriptions/sessions',
    body: JSON.stringify({ successUrl: SUCCESS_URL }),
  },
  {
    key: 'checkout',
    method: 'POST',
    path: '/api/billing/checkout',
    body: JSON.stringify({
      priceId: CHECKOUT_PRICE_ID,
      successUrl: SUCCESS_URL,
      cancelUrl: CANCEL_URL,
      metadata: { plan: 'pro', source: 'benchmark' },
    }),
  },
  {
    key: 'portal',
    method: 'POST',
    path: '/api/subscriptions/portal',
    body: JSON.stringify({ returnUrl: RETURN_URL }),
  },
  {
    key: 'me',
    method: 'GET',
    path: '/api/subscriptions/me',
    body: '',
  },
] as const;

export type EndpointKey = (typeof ENDPOINTS)[number]['key'];

/** Where a change checkout is confirmed. */
export const confirmPath = (sessionId: string) => `/api/billing/checkout/${sessionId}/confirm`;

/**
 * A subscription the benchmark seeded into the service's database, as the upstream must know it
 * too (the same id, customer, item, price and period, in unix seconds) so that it can be changed.
 */
export interface SeededSubscription {
  id: string;
  customer: string;
  itemId: string;
  priceId: string;
  quantity: number;
  periodStart: number;
  periodEnd: number;
}

/** Messages between the orchestrator and its children (over the IPC channel of `fork`-like spawns). */
export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'count'; id: number; count: number }
  | { type: 'subscriptions'; id: number }
  | { type: 'updates'; id: number; counts: number[] }
  | { type: 'delay'; id: number }
  | { type: 'error'; message: string };

/**
 * `count`: requests received so far. `subscriptions`: put these subscriptions in the upstream.
 * `updates`: how many `POST /v1/subscriptions/:id` each of these subscriptions has received.
 * `delay`: from now on, wait this many milliseconds before answering each request (0: at once).
 */
export type ParentMessage =
  | { type: 'count'; id: number }
  | { type: 'subscriptions'; id: number; subscriptions: SeededSubscription[] }
  | { type: 'updates'; id: number; subscriptionIds: string[] }
  | { type: 'delay'; id: number; ms: number };
