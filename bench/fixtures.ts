import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../src/payments/stripe/stripe-clients.factory';
import { HelperProcess } from './children';
import {
  analyze,
  BenchAccount,
  BenchDatabase,
  BenchSubscriber,
  seedAccounts,
  seedSubscribers,
} from './database';
import { NextRequest } from './load';
import {
  CANCEL_URL,
  CHECKOUT_PRICE_ID,
  confirmPath,
  STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET,
  SUBSCRIPTION_PRICE_ID,
  SUCCESS_URL,
} from './shared';

export const jsonHeaders = (apiKey: string): Record<string, string> => ({
  'content-type': 'application/json',
  'x-api-key': apiKey,
});

/**
 * Seeded returning-customer accounts, handed out one per request so that every checkout really
 * creates a session (an account never has an open checkout when its request arrives). A phase
 * `reserve`s a slice; what it did not use goes back for the next phase. `ensure` seeds more
 * between phases, never during one.
 */
export class AccountPool {
  private readonly accounts: BenchAccount[] = [];
  private cursor = 0;

  constructor(
    private readonly database: BenchDatabase,
    readonly label: string,
    private readonly log: (message: string) => void,
  ) {}

  get available(): number {
    return this.accounts.length - this.cursor;
  }

  async ensure(count: number): Promise<void> {
    if (this.available >= count) return;
    const missing = count - this.available;
    const started = performance.now();
    this.accounts.push(...(await seedAccounts(this.database, missing, this.label)));
    await analyze(this.database);
    this.log(`seeded ${missing} ${this.label} accounts in ${Math.round(performance.now() - started)} ms`);
  }

  /** The next `size` accounts, one per `next()` (null once they are used up). */
  reserve(size: number): { next: () => BenchAccount | null; release: () => void } {
    const end = Math.min(this.accounts.length, this.cursor + size);
    let next = this.cursor;
    return {
      next: () => (next < end ? this.accounts[next++] : null),
      release: () => {
        this.cursor = next;
      },
    };
  }
}

/**
 * Distinct signed `customer.subscription.updated` deliveries, as Stripe makes them: each about
 * one of the given customers' subscriptions (one per customer), ids never repeated, `created`
 * one second later for every event over the whole run. So no event ties with stored state of the
 * same second (which would make the service fetch the subscription from the provider), and
 * events of one subscription that arrive out of order are still applied (recorded, older state
 * not stored).
 */
export class WebhookEvents {
  private readonly signer = new Stripe(STRIPE_SECRET_KEY);
  private readonly tag = Math.random().toString(36).slice(2, 8);
  private readonly createdBase = Math.floor(Date.now() / 1000) - 10_000_000;
  private index = 0;

  constructor(private readonly customers: BenchAccount[]) {}

  /**
   * `count` new events about the first `customerCount` customers, signed now (the service
   * accepts signatures up to five minutes old, so build them right before they are sent).
   */
  build(count: number, customerCount = this.customers.length): NextRequest[] {
    const events: NextRequest[] = [];
    for (let n = 0; n < count; n++) {
      const i = this.index++;
      const customer = this.customers[i % customerCount];
      const subscription = `${this.tag}_${i % customerCount}`;
      const created = this.createdBase + i;
      const payload = JSON.stringify({
        id: `evt_bench_${this.tag}_${i}`,
        object: 'event',
        type: 'customer.subscription.updated',
        api_version: STRIPE_API_VERSION,
        created,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        data: {
          object: {
            id: `sub_bench_${subscription}`,
            object: 'subscription',
            customer: customer.customerId,
            status: i % 7 === 0 ? 'past_due' : 'active',
            cancel_at_period_end: false,
            trial_end: null,
            metadata: { accountId: customer.accountId },
            created: this.createdBase,
            livemode: false,
            items: {
              object: 'list',
              data: [
                {
                  id: `si_bench_${subscription}`,
                  object: 'subscription_item',
                  quantity: 1 + (i % 3),
                  current_period_end: created + 30 * 86_400,
                  price: { id: SUBSCRIPTION_PRICE_ID, object: 'price' },
                },
              ],
            },
          },
        },
      });
      const signature = this.signer.webhooks.generateTestHeaderString({
        payload,
        secret: STRIPE_WEBHOOK_SECRET,
      });
      events.push({
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      });
    }
    return events;
  }
}

/** Where a change preview is asked for (the checkout endpoint, with `subscriptionId`). */
export const PREVIEW_PATH = '/api/billing/checkout';

/**
 * `count` accounts with an active subscription of one seat of CHECKOUT_PRICE_ID: seeded into the
 * database and put into the upstream with the same ids, customer, item and period.
 */
export async function seedChangeSubscribers(
  database: BenchDatabase,
  upstream: HelperProcess,
  count: number,
  label: string,
): Promise<BenchSubscriber[]> {
  const subscribers = await seedSubscribers(database, count, label, {
    priceId: CHECKOUT_PRICE_ID,
    quantity: 1,
  });
  await upstream.putSubscriptions(subscribers.map((subscriber) => subscriber.subscription));
  await analyze(database);
  return subscribers;
}

/**
 * A preview of more seats for the subscriber: from one seat to 2–10 (by `n`), an upgrade, so it
 * applies now and the preview asks the provider for its invoice.
 */
export function previewRequest(subscriber: BenchSubscriber, n: number): NextRequest {
  return {
    headers: jsonHeaders(subscriber.apiKey),
    body: JSON.stringify({
      subscriptionId: subscriber.subscription.id,
      quantity: 2 + (n % 9),
      successUrl: SUCCESS_URL,
      cancelUrl: CANCEL_URL,
    }),
  };
}

/** A change checkout made before a timed phase, to be confirmed in it. */
export interface PreparedChange {
  sessionId: string;
  apiKey: string;
  subscriptionId: string;
}

/** Confirming a change checkout: no body, so no content-type either. */
export function confirmRequest(change: PreparedChange): NextRequest {
  return { path: confirmPath(change.sessionId), headers: { 'x-api-key': change.apiKey }, body: '' };
}

/**
 * One change checkout per subscriber, through the API, `concurrency` at a time: a checkout is
 * confirmed once, and confirming changes the subscription, which makes any other preview of it
 * stale. Anything but an open checkout applied now fails the run (the phase would measure
 * refusals).
 */
export async function prepareChanges(
  serviceUrl: string,
  subscribers: BenchSubscriber[],
  concurrency: number,
): Promise<PreparedChange[]> {
  const prepared: PreparedChange[] = new Array(subscribers.length);
  let next = 0;
  const worker = async () => {
    while (next < subscribers.length) {
      const i = next++;
      const subscriber = subscribers[i];
      const request = previewRequest(subscriber, 0);
      const response = await fetch(`${serviceUrl}${PREVIEW_PATH}`, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
      });
      const text = await response.text();
      const data = response.ok
        ? ((JSON.parse(text) as { data?: { sessionId?: string; status?: string; timing?: string } }).data ??
          {})
        : {};
      if (!data.sessionId || data.status !== 'open' || data.timing !== 'immediate') {
        throw new Error(`preparing a change checkout: ${response.status} ${text.slice(0, 300)}`);
      }
      prepared[i] = {
        sessionId: data.sessionId,
        apiKey: subscriber.apiKey,
        subscriptionId: subscriber.subscription.id,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, subscribers.length) }, worker));
  return prepared;
}
