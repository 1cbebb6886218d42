import { Inject, Injectable } from '@nestjs/common';
import { setTimeout } from 'node:timers/promises';
import Stripe from 'stripe';
import { AppConfig, ProviderMode } from '../../config/app-config';
import {
  ChangeNotConfirmableError,
  InvalidSignatureError,
  NotFoundError,
} from '../../common/errors/domain-errors';
import {
  CheckoutSessionInput,
  CustomerInput,
  FetchedSubscription,
  HostedCheckoutSession,
  HostedSession,
  PaymentEvent,
  PaymentProvider,
  PortalSessionInput,
  ProviderCustomer,
  ProviderPrice,
  AppliedChange,
  CancellationChange,
  ChangeConfirmPageInput,
  InvoiceEstimate,
  InvoiceLine,
  MAX_LISTED_PRICES,
  ScheduledChange,
  ScheduledChangeInput,
  SubscriptionChangeTerms,
} from '../payment-provider';
import { isInvalidRequest, isResourceMissing, mapStripeError } from './stripe-errors';
import { SCHEDULE_SOURCE, toPaymentEvent, toSubscription } from './stripe-events';

export const STRIPE_CLIENTS = Symbol('STRIPE_CLIENTS');
export type StripeClients = Partial<Record<ProviderMode, Stripe>>;

/** Stripe signs webhooks with a timestamp; older deliveries are refused (replay protection). */
const WEBHOOK_TOLERANCE_SECONDS = 300;
/** The order signing secrets are tried in: the main credentials' first. */
const PROVIDER_MODES: readonly ProviderMode[] = ['live', 'test'];
const RATE_LIMIT_BACKOFF_MS = 250;
/** The most Stripe lists in one page. */
const SUBSCRIPTIONS_PAGE_SIZE = 100;

/** Stripe accepts a checkout expiry from 30 minutes to 24 hours after it creates the session. */
const CHECKOUT_MIN_SECONDS = 30 * 60;
const CHECKOUT_MAX_SECONDS = 24 * 60 * 60;
const CHECKOUT_EXPIRY_MARGIN_SECONDS = 30;

/**
 * The expiry as Stripe will see it: the requested time, kept inside Stripe's window measured
 * from now (time spent before the call must not push a 30-minute checkout under the minimum).
 */
export function checkoutExpiry(requested: Date, now = Date.now()): number {
  const nowSeconds = Math.floor(now / 1000);
  const earliest = nowSeconds + CHECKOUT_MIN_SECONDS + CHECKOUT_EXPIRY_MARGIN_SECONDS;
  const latest = nowSeconds + CHECKOUT_MAX_SECONDS - CHECKOUT_EXPIRY_MARGIN_SECONDS;
  return Math.min(latest, Math.max(earliest, Math.ceil(requested.getTime() / 1000)));
}

const fromUnix = (seconds: number | null | undefined): Date | null =>
  typeof seconds === 'number' ? new Date(seconds * 1000) : null;

/**
 * When Stripe answered, by Stripe's clock (its `Date` header, whole seconds like its events'
 * times); this service's clock only when the header is missing.
 */
function answeredAt(response: { headers?: Record<string, string> } | undefined): Date {
  const date = Date.parse(response?.headers?.date ?? '');
  return Number.isNaN(date) ? new Date(Math.floor(Date.now() / 1000) * 1000) : new Date(date);
}

const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** The trial end a change keeps (or ends, with `now`); none sent when there is no trial. */
function trialEndParam(trialEnd: Date | 'now' | null): { trial_end?: number | 'now' } {
  if (trialEnd === null) return {};
  return { trial_end: trialEnd === 'now' ? 'now' : unixSeconds(trialEnd) };
}

function optionalObjectId(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

function fetched(subscription: Stripe.Response<Stripe.Subscription>): FetchedSubscription {
  return { subscription: toSubscription(subscription), asOf: answeredAt(subscription.lastResponse) };
}

/** A price with its product expanded (a product left as an id counts as active, unnamed). */
function toProviderPrice(price: Stripe.Price): ProviderPrice {
  const product = typeof price.product === 'object' && !('deleted' in price.product) ? price.product : null;
  return {
    id: price.id,
    active: price.active && (product?.active ?? true),
    type: price.type === 'recurring' ? 'recurring' : 'one_time',
    currency: price.currency,
    unitAmount: price.unit_amount,
    interval: price.recurring?.interval ?? null,
    productName: product?.name ?? null,
  };
}

function toInvoiceLine(line: Stripe.InvoiceLineItem): InvoiceLine {
  return {
    description: line.description ?? '',
    amount: line.amount,
    quantity: line.quantity ?? 1,
    proration: line.parent?.subscription_item_details?.proration === true,
    period: line.period
      ? { start: new Date(line.period.start * 1000), end: new Date(line.period.end * 1000) }
      : null,
  };
}

@Injectable()
export class StripePaymentProvider extends PaymentProvider {
  readonly name = 'stripe' as const;

  constructor(
    @Inject(STRIPE_CLIENTS) private readonly clients: StripeClients,
    private readonly config: AppConfig,
  ) {
    super();
  }

  supportsMode(mode: ProviderMode): boolean {
    return this.clients[mode] !== undefined;
  }

  async createCustomer(input: CustomerInput): Promise<ProviderCustomer> {
    const customer = await this.call(input.mode, (stripe) =>
      stripe.customers.create(
        {
          name: input.name,
          email: input.email ?? undefined,
          metadata: { accountId: input.accountId },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: customer.id };
  }

  async retrievePrice(mode: ProviderMode, priceId: string): Promise<ProviderPrice | null> {
    try {
      const price = await this.call(mode, (stripe) =>
        stripe.prices.retrieve(priceId, { expand: ['product'] }),
      );
      return toProviderPrice(price);
    } catch (error) {
      if (isResourceMissing((error as { cause?: unknown }).cause)) return null;
      throw error;
    }
  }

  async listPrices(mode: ProviderMode): Promise<ProviderPrice[]> {
    // Paged by the SDK (a retry starts the listing over), the product expanded for its name and state.
    const prices = await this.call(mode, (stripe) =>
      stripe.prices
        .list({ active: true, expand: ['data.product'], limit: MAX_LISTED_PRICES })
        .autoPagingToArray({ limit: MAX_LISTED_PRICES }),
    );
    return prices.map(toProviderPrice);
  }

  async createCheckoutSession(input: CheckoutSessionInput): Promise<HostedCheckoutSession> {
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: input.checkoutMode,
      customer: input.customerId,
      client_reference_id: input.accountId,
      line_items: [{ price: input.priceId, quantity: input.quantity }],
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      metadata: input.metadata,
      expires_at: checkoutExpiry(input.expiresAt),
    };
    if (input.checkoutMode === 'subscription') {
      params.subscription_data = {
        metadata: input.metadata,
        ...(input.trialDays ? { trial_period_days: input.trialDays } : {}),
      };
    } else {
      params.payment_intent_data = { metadata: input.metadata };
    }
    const session = await this.call(input.mode, (stripe) =>
      stripe.checkout.sessions.create(params, { idempotencyKey: input.idempotencyKey }),
    );
    if (!session.url) throw mapStripeError(new Error('Stripe returned a checkout session without a URL'));
    return { id: session.id, url: session.url, expiresAt: fromUnix(session.expires_at) ?? input.expiresAt };
  }

  async expireCheckoutSession(mode: ProviderMode, sessionId: string): Promise<'expired' | 'complete'> {
    try {
      await this.call(mode, (stripe) =>
        stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey: `expire-${sessionId}` }),
      );
      return 'expired';
    } catch (error) {
      // Stripe refuses to expire a session that is no longer open: ask what it became.
      if (!isInvalidRequest((error as { cause?: unknown }).cause)) throw error;
      const session = await this.call(mode, (stripe) => stripe.checkout.sessions.retrieve(sessionId));
      if (session.status === 'complete') return 'complete';
      if (session.status === 'expired') return 'expired';
      throw error;
    }
  }

  async createPortalSession(input: PortalSessionInput): Promise<HostedSession> {
    const session = await this.call(input.mode, (stripe) =>
      stripe.billingPortal.sessions.create(
        { customer: input.customerId, return_url: input.returnUrl },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: session.id, url: session.url };
  }

  async retrieveSubscription(
    mode: ProviderMode,
    subscriptionId: string,
  ): Promise<FetchedSubscription | null> {
    try {
      const subscription = await this.call(mode, (stripe) => stripe.subscriptions.retrieve(subscriptionId));
      return fetched(subscription);
    } catch (error) {
      if (isResourceMissing((error as { cause?: unknown }).cause)) return null;
      throw error;
    }
  }

  async listSubscriptions(mode: ProviderMode, customerId: string): Promise<FetchedSubscription[]> {
    // Paged by hand rather than with the SDK's auto-paging, to keep each page's answer time.
    const listed: FetchedSubscription[] = [];
    for (let after: string | undefined; ;) {
      const page = await this.call(mode, (stripe) =>
        stripe.subscriptions.list({
          customer: customerId,
          status: 'all',
          limit: SUBSCRIPTIONS_PAGE_SIZE,
          ...(after ? { starting_after: after } : {}),
        }),
      );
      const asOf = answeredAt(page.lastResponse);
      listed.push(...page.data.map((subscription) => ({ subscription: toSubscription(subscription), asOf })));
      if (!page.has_more || page.data.length === 0) return listed;
      after = page.data[page.data.length - 1].id;
    }
  }

  async previewChange(terms: SubscriptionChangeTerms): Promise<InvoiceEstimate> {
    // No billing_cycle_anchor: Stripe refuses it (as `now`) together with proration_date, and an
    // interval change restarts the period by itself.
    const invoice = await this.call(terms.mode, (stripe) =>
      stripe.invoices.createPreview({
        customer: terms.customerId,
        subscription: terms.subscriptionId,
        subscription_details: changeParams(terms),
      }),
    );
    return {
      amountDue: invoice.amount_due,
      total: invoice.total,
      currency: invoice.currency,
      date: fromUnix(invoice.created) ?? answeredAt(invoice.lastResponse),
      // A single-item change has at most three lines: all of them come with the preview.
      lines: invoice.lines.data.map(toInvoiceLine),
    };
  }

  async applyChange(terms: SubscriptionChangeTerms & { idempotencyKey: string }): Promise<AppliedChange> {
    const subscription = await this.call(terms.mode, (stripe) =>
      stripe.subscriptions.update(
        terms.subscriptionId,
        {
          ...changeParams(terms),
          // The change takes effect only once its invoice is paid; otherwise Stripe keeps the old
          // items and holds the change in `pending_update`.
          payment_behavior: 'pending_if_incomplete',
          expand: ['latest_invoice'],
        },
        { idempotencyKey: terms.idempotencyKey },
      ),
    );
    const invoice = typeof subscription.latest_invoice === 'object' ? subscription.latest_invoice : null;
    const failed = subscription.pending_update !== null && subscription.pending_update !== undefined;
    return {
      outcome: failed ? 'payment_failed' : 'applied',
      invoiceUrl: failed ? (invoice?.hosted_invoice_url ?? null) : null,
      subscription: fetched(subscription),
    };
  }

  async scheduleChange(input: ScheduledChangeInput): Promise<ScheduledChange> {
    // Stripe takes no phases while from_subscription is set: the schedule is made from the
    // subscription first, then given its two phases.
    const schedule = await this.call(input.mode, (stripe) =>
      stripe.subscriptionSchedules.create(
        { from_subscription: input.subscriptionId },
        { idempotencyKey: `${input.idempotencyKey}:create` },
      ),
    );
    const currentStart = schedule.phases[0]?.start_date ?? schedule.current_phase?.start_date;
    try {
      await this.call(input.mode, (stripe) =>
        stripe.subscriptionSchedules.update(
          schedule.id,
          {
            end_behavior: 'release',
            metadata: { changeId: input.changeId, source: SCHEDULE_SOURCE },
            proration_behavior: 'none',
            // No `iterations`: newer API versions refuse it; the last phase runs one period.
            phases: [
              {
                items: [{ price: input.currentPriceId, quantity: input.currentQuantity }],
                start_date: currentStart,
                end_date: unixSeconds(input.effectiveAt),
              },
              { items: [{ price: input.priceId, quantity: input.quantity }], proration_behavior: 'none' },
            ],
          },
          { idempotencyKey: `${input.idempotencyKey}:phases` },
        ),
      );
    } catch (error) {
      // A schedule without the new phase would only hold the subscription: let it go again.
      await this.call(input.mode, (stripe) =>
        stripe.subscriptionSchedules.release(
          schedule.id,
          {},
          { idempotencyKey: `${input.idempotencyKey}:compensate` },
        ),
      ).catch(() => undefined);
      throw error;
    }
    const subscription = await this.call(input.mode, (stripe) =>
      stripe.subscriptions.retrieve(input.subscriptionId),
    );
    return { scheduleId: schedule.id, subscription: fetched(subscription) };
  }

  async releaseSchedule(
    mode: ProviderMode,
    scheduleId: string,
    idempotencyKey: string,
  ): Promise<FetchedSubscription | null> {
    let schedule: Stripe.SubscriptionSchedule;
    try {
      schedule = await this.call(mode, (stripe) =>
        stripe.subscriptionSchedules.release(scheduleId, {}, { idempotencyKey }),
      );
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (isResourceMissing(cause)) return null;
      if (!isInvalidRequest(cause)) throw error;
      // Stripe refuses to release a schedule that no longer controls its subscription: if it was
      // released or ended already, what was asked is done.
      schedule = await this.call(mode, (stripe) => stripe.subscriptionSchedules.retrieve(scheduleId));
      if (schedule.status === 'active' || schedule.status === 'not_started') throw error;
    }
    const subscriptionId = optionalObjectId(schedule.subscription ?? schedule.released_subscription);
    return subscriptionId ? this.retrieveSubscription(mode, subscriptionId) : null;
  }

  async changeCancellation(
    mode: ProviderMode,
    subscriptionId: string,
    change: CancellationChange,
    idempotencyKey: string,
  ): Promise<FetchedSubscription> {
    if (change === 'now') {
      const canceled = await this.call(mode, (stripe) =>
        stripe.subscriptions.cancel(subscriptionId, {}, { idempotencyKey }),
      );
      return fetched(canceled);
    }
    let params: Stripe.SubscriptionUpdateParams = { cancel_at_period_end: true };
    if (change === 'resume') {
      const current = await this.call(mode, (stripe) => stripe.subscriptions.retrieve(subscriptionId));
      // Stripe refuses cancel_at and cancel_at_period_end in one call: clear the one that is set.
      params = current.cancel_at ? { cancel_at: '' } : { cancel_at_period_end: false };
    }
    const updated = await this.call(mode, (stripe) =>
      stripe.subscriptions.update(subscriptionId, params, { idempotencyKey }),
    );
    return fetched(updated);
  }

  async createChangeConfirmPage(input: ChangeConfirmPageInput): Promise<HostedSession> {
    try {
      const session = await this.call(input.mode, (stripe) =>
        stripe.billingPortal.sessions.create(
          {
            customer: input.customerId,
            return_url: input.returnUrl,
            flow_data: {
              type: 'subscription_update_confirm',
              subscription_update_confirm: {
                subscription: input.subscriptionId,
                items: [{ id: input.itemId, price: input.priceId, quantity: input.quantity }],
              },
              after_completion: { type: 'redirect', redirect: { return_url: input.returnUrl } },
            },
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return { id: session.id, url: session.url };
    } catch (error) {
      // The portal's configuration decides what a person may confirm there (the prices offered,
      // whether updates are on at all): Stripe's refusal is a setting, not a failure.
      const cause = (error as { cause?: unknown }).cause;
      if (isInvalidRequest(cause) && !isResourceMissing(cause)) {
        throw new ChangeNotConfirmableError((cause as Stripe.errors.StripeError).message);
      }
      throw error;
    }
  }

  parseWebhook(rawBody: Buffer, signature: string | undefined): PaymentEvent {
    const verifiers = PROVIDER_MODES.flatMap((mode) => {
      const stripe = this.clients[mode];
      const secret = this.config.stripe.credentials[mode]?.webhookSecret;
      return stripe && secret ? [{ mode, stripe, secret }] : [];
    });
    if (verifiers.length === 0) throw new InvalidSignatureError('No webhook signing secret is configured');
    if (!signature) throw new InvalidSignatureError('Missing Stripe-Signature header');
    let failure: unknown;
    for (const { mode, stripe, secret } of verifiers) {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, secret, WEBHOOK_TOLERANCE_SECONDS);
      } catch (error) {
        failure = error;
        continue;
      }
      return toPaymentEvent(event, mode);
    }
    throw new InvalidSignatureError(failure instanceof Error ? failure.message : undefined);
  }

  /**
   * The SDK retries connection failures, 409s, 5xx and 429s marked `Stripe-Should-Retry: true`
   * itself (with the same idempotency key); a 429 without that advice it leaves to us, so those
   * get the same bounded number of retries here.
   */
  private async call<T>(mode: ProviderMode, request: (stripe: Stripe) => Promise<T>): Promise<T> {
    const stripe = this.clients[mode];
    if (!stripe) throw new NotFoundError('Test mode is not configured');
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(stripe);
      } catch (error) {
        if (!shouldRetryRateLimit(error) || attempt >= this.config.providerCalls.maxNetworkRetries) {
          throw mapStripeError(error);
        }
        await setTimeout(RATE_LIMIT_BACKOFF_MS * 2 ** attempt * (0.5 + Math.random() / 2));
      }
    }
  }
}

/**
 * What a change asks Stripe for, the same for its preview and its update: that is what makes the
 * charge the one the preview showed.
 */
function changeParams(terms: SubscriptionChangeTerms) {
  return {
    items: [{ id: terms.itemId, price: terms.priceId, quantity: terms.quantity }],
    proration_behavior: 'always_invoice' as const,
    proration_date: unixSeconds(terms.prorationDate),
    ...trialEndParam(terms.trialEnd),
  };
}

/**
 * A 429 is retried here only when Stripe gave no advice: with `Stripe-Should-Retry: true` the SDK
 * has already retried it (with its own bounded count), with `false` Stripe says not to.
 */
function shouldRetryRateLimit(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeRateLimitError)) return false;
  const headers = (error.headers ?? {}) as Record<string, string | undefined>;
  return headers['stripe-should-retry'] === undefined;
}
