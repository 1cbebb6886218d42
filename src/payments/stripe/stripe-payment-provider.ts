import { Inject, Injectable } from '@nestjs/common';
import { setTimeout } from 'node:timers/promises';
import Stripe from 'stripe';
import { AppConfig, ProviderMode } from '../../config/app-config';
import { InvalidSignatureError, NotFoundError } from '../../common/errors/domain-errors';
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
  InvoiceEstimate,
  ScheduledChange,
} from '../payment-provider';
import { isInvalidRequest, isResourceMissing, mapStripeError } from './stripe-errors';
import { toPaymentEvent, toSubscription } from './stripe-events';

export const STRIPE_CLIENTS = Symbol('STRIPE_CLIENTS');
export type StripeClients = Partial<Record<ProviderMode, Stripe>>;

/** Stripe signs webhooks with a timestamp; older deliveries are refused (replay protection). */
const WEBHOOK_TOLERANCE_SECONDS = 300;
/** The order signing secrets are tried in: the main credentials' first. */
const PROVIDER_MODES: readonly ProviderMode[] = ['live', 'test'];
const RATE_LIMIT_BACKOFF_MS = 250;

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
      const product =
        typeof price.product === 'object' && !('deleted' in price.product) ? price.product : null;
      return {
        id: price.id,
        active: price.active && (product?.active ?? true),
        type: price.type === 'recurring' ? 'recurring' : 'one_time',
        currency: price.currency,
        unitAmount: price.unit_amount,
        interval: price.recurring?.interval ?? null,
        productName: product?.name ?? null,
      };
    } catch (error) {
      if (isResourceMissing((error as { cause?: unknown }).cause)) return null;
      throw error;
    }
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
      return { subscription: toSubscription(subscription), asOf: answeredAt(subscription.lastResponse) };
    } catch (error) {
      if (isResourceMissing((error as { cause?: unknown }).cause)) return null;
      throw error;
    }
  }

  // -- subscription changes: implemented by the adapter's change support (in progress) --
  previewChange(): Promise<InvoiceEstimate> {
    return Promise.reject(new Error('previewChange: not implemented yet'));
  }

  applyChange(): Promise<AppliedChange> {
    return Promise.reject(new Error('applyChange: not implemented yet'));
  }

  scheduleChange(): Promise<ScheduledChange> {
    return Promise.reject(new Error('scheduleChange: not implemented yet'));
  }

  releaseSchedule(): Promise<FetchedSubscription | null> {
    return Promise.reject(new Error('releaseSchedule: not implemented yet'));
  }

  changeCancellation(): Promise<FetchedSubscription> {
    return Promise.reject(new Error('changeCancellation: not implemented yet'));
  }

  createChangeConfirmPage(): Promise<HostedSession> {
    return Promise.reject(new Error('createChangeConfirmPage: not implemented yet'));
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
 * A 429 is retried here only when Stripe gave no advice: with `Stripe-Should-Retry: true` the SDK
 * has already retried it (with its own bounded count), with `false` Stripe says not to.
 */
function shouldRetryRateLimit(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeRateLimitError)) return false;
  const headers = (error.headers ?? {}) as Record<string, string | undefined>;
  return headers['stripe-should-retry'] === undefined;
}
