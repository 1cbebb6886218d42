import { ProviderMode, ProviderName } from '../config/app-config';

export type CheckoutMode = 'subscription' | 'payment';

/**
 * A subscription's status in the service's terms (the names Stripe gives them, docs/api.md#me);
 * each adapter maps its provider's statuses to these.
 */
export const SUBSCRIPTION_STATUSES = [
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
] as const;

export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export interface ProviderCustomer {
  id: string;
}

export interface ProviderPrice {
  id: string;
  active: boolean;
  /** `recurring` prices suit subscription checkouts, `one_time` prices payment checkouts. */
  type: 'recurring' | 'one_time';
  currency: string;
  unitAmount: number | null;
  interval: string | null;
  productName: string | null;
}

export interface CustomerInput {
  mode: ProviderMode;
  accountId: string;
  email: string | null;
  name: string;
  idempotencyKey: string;
}

export interface CheckoutSessionInput {
  mode: ProviderMode;
  accountId: string;
  customerId: string;
  checkoutMode: CheckoutMode;
  priceId: string;
  quantity: number;
  successUrl: string;
  cancelUrl?: string;
  /** Days of trial the subscription starts with; null or 0 for none. */
  trialDays: number | null;
  /** Already merged: the caller's keys, then the service's own (which win). */
  metadata: Record<string, string>;
  expiresAt: Date;
  idempotencyKey: string;
}

export interface HostedSession {
  id: string;
  url: string;
}

export interface HostedCheckoutSession extends HostedSession {
  expiresAt: Date;
}

export interface PortalSessionInput {
  mode: ProviderMode;
  customerId: string;
  returnUrl: string;
  idempotencyKey: string;
}

export interface ProviderSubscription {
  id: string;
  customerId: string;
  status: SubscriptionStatus;
  priceId: string | null;
  quantity: number;
  trialEnd: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** `metadata.accountId` as the service set it at checkout, when present. */
  accountId: string | null;
}

export interface ProviderCheckoutSession {
  id: string;
  customerId: string | null;
  subscriptionId: string | null;
  checkoutMode: CheckoutMode;
  accountId: string | null;
}

/** A subscription as the provider answered when asked, and when that was by the provider's clock. */
export interface FetchedSubscription {
  subscription: ProviderSubscription;
  /**
   * The provider's time of the answer (the same clock as its events' `created`), so that stored
   * state is ordered on one clock whatever this service's clock says.
   */
  asOf: Date;
}

interface EventBase {
  id: string;
  type: string;
  /** When the provider produced the event, by the provider's clock. */
  created: Date;
  mode: ProviderMode;
}

export type PaymentEvent = EventBase &
  (
    | {
        kind: 'checkout.completed' | 'checkout.expired';
        session: ProviderCheckoutSession;
        /** The subscription as it is now, when the provider says so itself (the sandbox). */
        subscription?: ProviderSubscription;
      }
    | { kind: 'subscription'; subscription: ProviderSubscription }
    | { kind: 'invoice'; subscriptionId: string | null; subscription?: ProviderSubscription }
    | { kind: 'ignored' }
    /** Verified, but its data can never be applied (a field missing or out of range): why. */
    | { kind: 'rejected'; reason: string }
  );

/** What an event carries besides its envelope (id, type, created, mode). */
export type PaymentEventPayload = PaymentEvent extends infer E
  ? E extends PaymentEvent
    ? Omit<E, keyof EventBase>
    : never
  : never;

/**
 * What the provider sent or answered cannot be stored and never will be (a field missing, too
 * long, or out of range): applying it again cannot succeed.
 */
export class UnusableProviderData extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnusableProviderData';
  }
}

/**
 * The port every payment provider adapter implements; it speaks the service's language and no
 * provider type crosses it. Errors are ProviderError (502), ProviderUnavailableError (503), or
 * InvalidSignatureError from parseWebhook.
 */
export abstract class PaymentProvider {
  abstract readonly name: ProviderName;

  /** Whether credentials exist for the mode (test mode is optional). */
  abstract supportsMode(mode: ProviderMode): boolean;

  abstract createCustomer(input: CustomerInput): Promise<ProviderCustomer>;

  /** Null when the provider does not know the price. */
  abstract retrievePrice(mode: ProviderMode, priceId: string): Promise<ProviderPrice | null>;

  abstract createCheckoutSession(input: CheckoutSessionInput): Promise<HostedCheckoutSession>;

  /**
   * Ends an open checkout session so that nobody can complete it any more. Answers what became of
   * it: `expired` (now, or it had expired before), or `complete` when the person had already paid.
   */
  abstract expireCheckoutSession(mode: ProviderMode, sessionId: string): Promise<'expired' | 'complete'>;

  abstract createPortalSession(input: PortalSessionInput): Promise<HostedSession>;

  /** Null when the provider does not know the subscription. */
  abstract retrieveSubscription(
    mode: ProviderMode,
    subscriptionId: string,
  ): Promise<FetchedSubscription | null>;

  /**
   * Verifies the signature over the raw body before reading anything from it, against the signing
   * secret of each mode the adapter has credentials for; the event carries the mode that verified it.
   */
  abstract parseWebhook(rawBody: Buffer, signature: string | undefined): PaymentEvent;
}
