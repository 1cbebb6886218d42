import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { ProviderMode } from '../../config/app-config';
import {
  PaymentEvent,
  ProviderCheckoutSession,
  ProviderSchedule,
  ProviderSubscription,
  SubscriptionStatus,
  UnusableProviderData,
} from '../payment-provider';

/**
 * Stripe's objects read into the service's terms. A signed event is trusted to come from Stripe,
 * not to fit: every field the service stores is checked here against what the records can hold,
 * and an event that can never be applied becomes a `rejected` event with the reason, instead of a
 * failure the provider would retry for days.
 */

/** The longest id and type the records keep. */
const MAX_ID_LENGTH = 255;
const MAX_TYPE_LENGTH = 100;
/**
 * Stripe's subscription statuses (of the pinned API version) in the service's terms; any other
 * word makes the subscription one the service cannot store.
 */
const STATUSES: Readonly<Record<string, SubscriptionStatus>> = {
  trialing: 'trialing',
  active: 'active',
  past_due: 'past_due',
  canceled: 'canceled',
  unpaid: 'unpaid',
  incomplete: 'incomplete',
  incomplete_expired: 'incomplete_expired',
  paused: 'paused',
};
/** Quantities are 32-bit integers in the records. */
const MAX_QUANTITY = 2_147_483_647;
/** Unix seconds up to the last second of the year 9999. */
const MAX_UNIX_SECONDS = 253_402_300_799;

function fail(reason: string): never {
  throw new UnusableProviderData(reason);
}

function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(`${field} is missing`);
  if (value.length > MAX_ID_LENGTH) fail(`${field} is longer than ${MAX_ID_LENGTH} characters`);
  return value;
}

function optionalId(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  return id(typeof value === 'object' ? (value as { id?: unknown }).id : value, field);
}

function time(value: unknown, field: string): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_UNIX_SECONDS)
    fail(`${field} is not a time`);
  return new Date(value * 1000);
}

function quantity(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_QUANTITY)
    fail('quantity is not a whole number in range');
  return value;
}

function status(value: unknown): SubscriptionStatus {
  if (typeof value !== 'string' || !Object.hasOwn(STATUSES, value)) fail('status is missing or not a status');
  return STATUSES[value];
}

function accountIdOf(metadata: unknown, fallback?: unknown): string | null {
  const value = (metadata as Record<string, unknown> | null | undefined)?.accountId ?? fallback ?? null;
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH ? value : null;
}

export function toSubscription(subscription: Stripe.Subscription): ProviderSubscription {
  const item = subscription.items?.data?.[0];
  const legacyPeriodEnd = (subscription as unknown as { current_period_end?: unknown }).current_period_end;
  const legacyPeriodStart = (subscription as unknown as { current_period_start?: unknown })
    .current_period_start;
  return {
    id: id(subscription.id, 'subscription id'),
    customerId: optionalId(subscription.customer, 'customer') ?? fail('customer is missing'),
    status: status(subscription.status),
    itemId: optionalId(item?.id, 'subscription item'),
    itemCount: subscription.items?.data?.length ?? 0,
    priceId: optionalId(item?.price, 'price'),
    quantity: quantity(item?.quantity),
    trialEnd: time(subscription.trial_end, 'trial_end'),
    currentPeriodStart: time(item?.current_period_start ?? legacyPeriodStart, 'current_period_start'),
    currentPeriodEnd: time(item?.current_period_end ?? legacyPeriodEnd, 'current_period_end'),
    cancelAtPeriodEnd: subscription.cancel_at_period_end === true,
    cancelAt: time(subscription.cancel_at, 'cancel_at'),
    scheduleId: optionalId(subscription.schedule, 'schedule'),
    pendingUpdateExpiresAt: subscription.pending_update
      ? time(subscription.pending_update.expires_at, 'pending_update.expires_at')
      : null,
    accountId: accountIdOf(subscription.metadata),
  };
}

function toCheckoutSession(session: Stripe.Checkout.Session): ProviderCheckoutSession {
  return {
    id: id(session.id, 'checkout session id'),
    customerId: optionalId(session.customer, 'customer'),
    subscriptionId: optionalId(session.subscription, 'subscription'),
    checkoutMode: session.mode === 'payment' ? 'payment' : 'subscription',
    accountId: accountIdOf(session.metadata, session.client_reference_id),
  };
}

/** Schedule statuses in the service's terms: an aborted schedule ended without completing. */
const SCHEDULE_STATUSES: Readonly<Record<string, ProviderSchedule['status']>> = {
  not_started: 'not_started',
  active: 'active',
  completed: 'completed',
  released: 'released',
  canceled: 'canceled',
  aborted: 'canceled',
};

/** Marks the schedules this service makes (their metadata), so that their events are its own. */
export const SCHEDULE_SOURCE = 'billing-sessions';

function toSchedule(schedule: Stripe.SubscriptionSchedule): ProviderSchedule {
  const scheduleStatus = schedule.status as unknown;
  if (typeof scheduleStatus !== 'string' || !Object.hasOwn(SCHEDULE_STATUSES, scheduleStatus))
    fail('schedule status is missing or not a status');
  const metadata = (schedule.metadata ?? {}) as Record<string, unknown>;
  const changeId = metadata.source === SCHEDULE_SOURCE ? metadata.changeId : undefined;
  return {
    id: id(schedule.id, 'schedule id'),
    // A released schedule names the subscription it let go of in released_subscription only.
    subscriptionId:
      optionalId(schedule.subscription, 'subscription') ??
      optionalId(schedule.released_subscription, 'released_subscription'),
    status: SCHEDULE_STATUSES[scheduleStatus],
    changeId: typeof changeId === 'string' ? id(changeId, 'metadata.changeId') : null,
  };
}

function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  const fromParent = invoice.parent?.subscription_details?.subscription;
  const legacy = (invoice as unknown as { subscription?: unknown }).subscription;
  return optionalId(fromParent ?? legacy, 'subscription');
}

/**
 * The id the event is recorded under: its own, or, for one too long to keep, a digest of it (so
 * that its redeliveries are still recognised).
 */
function recordedId(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  if (text.length > 0 && text.length <= MAX_ID_LENGTH) return text;
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export function toPaymentEvent(event: Stripe.Event, mode: ProviderMode): PaymentEvent {
  const base = {
    id: recordedId(event.id),
    type: typeof event.type === 'string' ? event.type.slice(0, MAX_TYPE_LENGTH) : 'unknown',
    created: new Date(0),
    mode,
  };
  try {
    id(event.id, 'event id');
    base.created = time(event.created, 'created') ?? fail('created is missing');
    const object = event.data?.object ?? fail('data.object is missing');
    switch (event.type) {
      case 'checkout.session.completed':
        return {
          ...base,
          kind: 'checkout.completed',
          session: toCheckoutSession(object as Stripe.Checkout.Session),
        };
      case 'checkout.session.expired':
        return {
          ...base,
          kind: 'checkout.expired',
          session: toCheckoutSession(object as Stripe.Checkout.Session),
        };
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
      case 'customer.subscription.pending_update_applied':
      case 'customer.subscription.pending_update_expired':
        return { ...base, kind: 'subscription', subscription: toSubscription(object as Stripe.Subscription) };
      case 'invoice.paid':
      case 'invoice.payment_failed':
        return { ...base, kind: 'invoice', subscriptionId: invoiceSubscriptionId(object as Stripe.Invoice) };
      case 'subscription_schedule.created':
      case 'subscription_schedule.updated':
      case 'subscription_schedule.released':
      case 'subscription_schedule.canceled':
      case 'subscription_schedule.completed':
      case 'subscription_schedule.aborted':
      case 'subscription_schedule.expiring':
        return { ...base, kind: 'schedule', schedule: toSchedule(object as Stripe.SubscriptionSchedule) };
      default:
        return { ...base, kind: 'ignored' };
    }
  } catch (error) {
    if (error instanceof UnusableProviderData) return { ...base, kind: 'rejected', reason: error.message };
    throw error;
  }
}
