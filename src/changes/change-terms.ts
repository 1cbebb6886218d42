import {
  InvoiceEstimate,
  InvoiceLine,
  ProviderPrice,
  ProviderSubscription,
} from '../payments/payment-provider';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Periods per year, to compare prices of different intervals (as the provider's portal does). */
const PER_YEAR: Record<string, number> = { day: 365, week: 52, month: 12, year: 1 };
/** Days of an interval, for dating the renewal after a change restarts the period. */
const INTERVAL_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };

export type Timing = 'immediate' | 'period_end';

export interface Estimates {
  currentInvoice: InvoiceEstimate;
  nextInvoice: InvoiceEstimate | null;
}

const yearly = (price: ProviderPrice, quantity: number): number =>
  (price.unitAmount ?? 0) * quantity * (PER_YEAR[price.interval ?? 'month'] ?? 12);

const intervalRank = (price: ProviderPrice): number => 365 / (PER_YEAR[price.interval ?? 'month'] ?? 12);

/**
 * When a change applies when the caller does not say: an upgrade (a longer interval, more seats,
 * or a higher amount per year) now, with the proration charged; a downgrade (a shorter interval,
 * fewer seats, a lower amount per year) at the end of the period, so that nobody is credited for
 * time already used. The same amount per year counts as an upgrade.
 */
export function defaultTiming(
  from: { price: ProviderPrice; quantity: number },
  to: { price: ProviderPrice; quantity: number },
): Timing {
  const rankFrom = intervalRank(from.price);
  const rankTo = intervalRank(to.price);
  if (rankTo !== rankFrom) return rankTo > rankFrom ? 'immediate' : 'period_end';
  if (from.price.id === to.price.id) return to.quantity >= from.quantity ? 'immediate' : 'period_end';
  return yearly(to.price, to.quantity) >= yearly(from.price, from.quantity) ? 'immediate' : 'period_end';
}

/** A change that restarts the billing period: a new interval, or a trial ended by it. */
export function restartsPeriod(from: ProviderPrice, to: ProviderPrice, endsTrial: boolean): boolean {
  return endsTrial || (from.interval ?? 'month') !== (to.interval ?? 'month');
}

export function addInterval(start: Date, price: ProviderPrice): Date {
  return new Date(start.getTime() + (INTERVAL_DAYS[price.interval ?? 'month'] ?? 30) * DAY_MS);
}

/** A renewal's invoice: the price for the quantity, for the period that starts at `at`. */
export function renewalInvoice(price: ProviderPrice, quantity: number, at: Date): InvoiceEstimate {
  const amount = (price.unitAmount ?? 0) * quantity;
  const line: InvoiceLine = {
    description: `${quantity} × ${price.productName ?? price.id}`,
    amount,
    quantity,
    proration: false,
    period: { start: at, end: addInterval(at, price) },
  };
  return { amountDue: amount, total: amount, currency: price.currency, date: at, lines: [line] };
}

/** Nothing charged or credited now (a change at period end, or one inside a kept trial). */
export function nothingNow(currency: string, now: Date): InvoiceEstimate {
  return { amountDue: 0, total: 0, currency, date: now, lines: [] };
}

/**
 * When the next renewal after a change falls: the period restarts at the change for a new
 * interval or an ended trial, and ends where the provider's own invoice for the change says (its
 * calendar, not a count of days); otherwise it stays the current period's end (the trial's end in
 * a trial).
 */
export function nextRenewal(
  subscription: ProviderSubscription,
  from: ProviderPrice,
  to: ProviderPrice,
  options: { timing: Timing; endsTrial: boolean; at: Date; current: InvoiceEstimate },
): Date | null {
  if (options.timing !== 'immediate' || !restartsPeriod(from, to, options.endsTrial))
    return subscription.currentPeriodEnd;
  const restarted = options.current.lines.find((line) => !line.proration && line.period)?.period;
  return restarted ? new Date(restarted.end) : addInterval(options.at, to);
}

/**
 * A new subscription's estimates: with a trial nothing now and the first charge at its end,
 * otherwise the first period now and the renewal after it. A one-time payment has no next invoice.
 */
export function newCheckoutEstimates(
  price: ProviderPrice,
  quantity: number,
  options: { trialDays: number | null; recurring: boolean; now: Date },
): Estimates {
  const { now } = options;
  if (!options.recurring) {
    const amount = (price.unitAmount ?? 0) * quantity;
    return {
      currentInvoice: {
        amountDue: amount,
        total: amount,
        currency: price.currency,
        date: now,
        lines: [
          {
            description: `${quantity} × ${price.productName ?? price.id}`,
            amount,
            quantity,
            proration: false,
            period: null,
          },
        ],
      },
      nextInvoice: null,
    };
  }
  if (options.trialDays) {
    const trialEnd = new Date(now.getTime() + options.trialDays * DAY_MS);
    return {
      currentInvoice: nothingNow(price.currency, now),
      nextInvoice: renewalInvoice(price, quantity, trialEnd),
    };
  }
  const first = renewalInvoice(price, quantity, now);
  return { currentInvoice: first, nextInvoice: renewalInvoice(price, quantity, addInterval(now, price)) };
}

/** The fields of a subscription a preview depends on: any of them changing makes the preview stale. */
export interface ChangeBasis {
  status: string;
  itemId: string | null;
  priceId: string | null;
  quantity: number;
  trialEnd: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: string | null;
  scheduleId: string | null;
  pendingUpdate: boolean;
}

export function basisOf(subscription: ProviderSubscription): ChangeBasis {
  return {
    status: subscription.status,
    itemId: subscription.itemId,
    priceId: subscription.priceId,
    quantity: subscription.quantity,
    trialEnd: subscription.trialEnd?.toISOString() ?? null,
    currentPeriodEnd: subscription.currentPeriodEnd?.toISOString() ?? null,
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    cancelAt: subscription.cancelAt?.toISOString() ?? null,
    scheduleId: subscription.scheduleId,
    pendingUpdate: subscription.pendingUpdateExpiresAt !== null,
  };
}

/** The words a caller reads for each field of the basis that changed. */
const BASIS_REASONS: Record<keyof ChangeBasis, string> = {
  status: 'status',
  itemId: 'items',
  priceId: 'price',
  quantity: 'quantity',
  trialEnd: 'trial',
  currentPeriodEnd: 'period',
  cancelAtPeriodEnd: 'cancellation',
  cancelAt: 'cancellation',
  scheduleId: 'pending change',
  pendingUpdate: 'pending payment',
};

/** The fields of the basis that differ now. */
export function changedFields(before: ChangeBasis, now: ChangeBasis): Array<keyof ChangeBasis> {
  return (Object.keys(BASIS_REASONS) as Array<keyof ChangeBasis>).filter((key) => before[key] !== now[key]);
}

/** Those fields in the words a caller reads. */
export function describeFields(fields: Array<keyof ChangeBasis>): string {
  return [...new Set(fields.map((key) => BASIS_REASONS[key]))].join(', ');
}
