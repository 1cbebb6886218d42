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

/** How many prices a listing holds at most: a catalogue to show a person, not an export. */
export const MAX_LISTED_PRICES = 100;

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
  /** The first (normally the only) item: what a change replaces. */
  itemId: string | null;
  /** How many items the subscription has: only single-item subscriptions can be changed here. */
  itemCount: number;
  priceId: string | null;
  quantity: number;
  trialEnd: Date | null;
  /** The item's current period (Stripe keeps periods on items since the basil API version). */
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** When the subscription is set to end at a fixed time (Stripe's `cancel_at`), else null. */
  cancelAt: Date | null;
  /** The subscription schedule that controls it, when one does. */
  scheduleId: string | null;
  /** A change that waits for its invoice to be paid (Stripe's `pending_update`): when it lapses. */
  pendingUpdateExpiresAt: Date | null;
  /** `metadata.accountId` as the service set it at checkout, when present. */
  accountId: string | null;
}

/** One line of an invoice estimate, in minor units (a credit is negative). */
export interface InvoiceLine {
  description: string;
  amount: number;
  quantity: number;
  /** A proration for the rest of the current period (credit for the old terms, charge for the new). */
  proration: boolean;
  period: { start: Date; end: Date } | null;
}

/** What an invoice would be: nothing is created by estimating it. */
export interface InvoiceEstimate {
  /** What would be charged (after credits from the lines; never below zero). */
  amountDue: number;
  /** The sum of the lines; negative when the change credits more than it charges. */
  total: number;
  currency: string;
  /** When it is charged: now for an immediate change, else the renewal it belongs to. */
  date: Date;
  lines: InvoiceLine[];
}

/** The terms a change moves one subscription's single item to. */
export interface SubscriptionChangeTerms {
  mode: ProviderMode;
  customerId: string;
  subscriptionId: string;
  itemId: string;
  priceId: string;
  quantity: number;
  /**
   * The moment prorations are computed for: fixed when the change is previewed, and given again
   * when it is applied, so that the charge is the one the preview showed.
   */
  prorationDate: Date;
  /** The trial end to keep (a change does not end a trial unless asked), `now` to end it, or null. */
  trialEnd: Date | 'now' | null;
}

export interface AppliedChange {
  /** `payment_failed`: the provider kept the old terms (its invoice for the change is unpaid). */
  outcome: 'applied' | 'payment_failed';
  /** The invoice the change produced, where the person can pay it (for `payment_failed`). */
  invoiceUrl: string | null;
  subscription: FetchedSubscription;
}

export interface ScheduledChangeInput {
  mode: ProviderMode;
  subscriptionId: string;
  /** The terms now, kept until `effectiveAt`. */
  currentPriceId: string;
  currentQuantity: number;
  priceId: string;
  quantity: number;
  /** The end of the current period: the new terms start there. */
  effectiveAt: Date;
  /** The service's change id, kept on the schedule so that the service knows it as its own. */
  changeId: string;
  idempotencyKey: string;
}

export interface ScheduledChange {
  scheduleId: string;
  subscription: FetchedSubscription;
}

/** `period_end`: ends at the end of the current period; `now`: at once; `resume`: keeps it going. */
export type CancellationChange = 'period_end' | 'now' | 'resume';

export interface ChangeConfirmPageInput {
  mode: ProviderMode;
  /** The service's change id (the sandbox's own page shows that change). */
  changeId: string;
  customerId: string;
  subscriptionId: string;
  itemId: string;
  priceId: string;
  quantity: number;
  returnUrl: string;
  idempotencyKey: string;
}

export interface ProviderCheckoutSession {
  id: string;
  customerId: string | null;
  subscriptionId: string | null;
  checkoutMode: CheckoutMode;
  accountId: string | null;
}

/** A subscription schedule as its events describe it. */
export interface ProviderSchedule {
  id: string;
  subscriptionId: string | null;
  /** `active` while it controls the subscription; the others end that. */
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled';
  /** The service's change id when the service made the schedule (its metadata), else null. */
  changeId: string | null;
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
    /** The subscription it controls is fetched (or, from the sandbox, carried) like an invoice's. */
    | { kind: 'schedule'; schedule: ProviderSchedule; subscription?: ProviderSubscription }
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

  /**
   * The active prices the provider has, recurring and one-time, at most MAX_LISTED_PRICES of them
   * (an `active` of false may still come back for a price whose product is archived).
   */
  abstract listPrices(mode: ProviderMode): Promise<ProviderPrice[]>;

  abstract createCheckoutSession(input: CheckoutSessionInput): Promise<HostedCheckoutSession>;

  /**
   * Ends an open checkout session so that nobody can complete it any more. Answers what became of
   * it: `expired` (now, or it had expired before), or `complete` when the person had already paid.
   */
  abstract expireCheckoutSession(mode: ProviderMode, sessionId: string): Promise<'expired' | 'complete'>;

  abstract createPortalSession(input: PortalSessionInput): Promise<HostedSession>;

  /**
   * The invoice an immediate change would produce now (prorations, and for a new interval the new
   * period's charge), computed by the provider for `terms.prorationDate`.
   */
  abstract previewChange(terms: SubscriptionChangeTerms): Promise<InvoiceEstimate>;

  /**
   * Applies a change now, on the terms previewed (same proration date, items and trial), charging
   * the proration at once; a charge that fails leaves the old terms in place (`payment_failed`).
   */
  abstract applyChange(terms: SubscriptionChangeTerms & { idempotencyKey: string }): Promise<AppliedChange>;

  /** Schedules new terms for the end of the current period (a subscription schedule). */
  abstract scheduleChange(input: ScheduledChangeInput): Promise<ScheduledChange>;

  /** Withdraws a scheduled change: the schedule lets go of the subscription, which keeps its terms. */
  abstract releaseSchedule(
    mode: ProviderMode,
    scheduleId: string,
    idempotencyKey: string,
  ): Promise<FetchedSubscription | null>;

  /** Ends a subscription at period end or at once, or takes a pending end back (`resume`). */
  abstract changeCancellation(
    mode: ProviderMode,
    subscriptionId: string,
    change: CancellationChange,
    idempotencyKey: string,
  ): Promise<FetchedSubscription>;

  /**
   * The hosted page where a person confirms a change (the sandbox's own page; Stripe's billing
   * portal deep link). ChangeNotConfirmableError when the provider's settings do not allow it.
   */
  abstract createChangeConfirmPage(input: ChangeConfirmPageInput): Promise<HostedSession>;

  /**
   * Every subscription the provider has for one customer, ended ones too (reconciliation compares
   * them with the records); each dated by the provider's answer it came in.
   */
  abstract listSubscriptions(mode: ProviderMode, customerId: string): Promise<FetchedSubscription[]>;

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
