import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../src/payments/stripe/stripe-clients.factory';
import { analyze, BenchAccount, BenchDatabase, seedAccounts } from './database';
import { NextRequest } from './load';
import { STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SUBSCRIPTION_PRICE_ID } from './shared';

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
