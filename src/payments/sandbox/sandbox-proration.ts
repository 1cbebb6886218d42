import { InvoiceEstimate, InvoiceLine, ProviderPrice } from '../payment-provider';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The sandbox's periods, in whole days (a month is 30 of them, a year 365). */
export const PERIOD_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };

export const periodDays = (price: ProviderPrice | null): number =>
  PERIOD_DAYS[price?.interval ?? 'month'] ?? 30;

export interface Terms {
  price: ProviderPrice;
  quantity: number;
}

export interface ProrationInput {
  current: Terms;
  next: Terms;
  period: { start: Date; end: Date };
  /** The moment the change is computed for; days are counted from the period's start to it. */
  prorationDate: Date;
  /** The trial to keep (its end), `now` to end it at the change, or null when there is none. */
  trialEnd: Date | 'now' | null;
}

export interface ProratedChange {
  /** The invoice the change produces now. */
  invoice: InvoiceEstimate;
  /** The subscription's period after the change: the same one, or a new one from the change. */
  period: { start: Date; end: Date };
  /** The trial end after the change: kept, the change's moment (ended), or null. */
  trialEnd: Date | null;
}

/**
 * Day-exact proration, the sandbox's way: the unused whole days of the old terms are credited
 * and the same days of the new terms charged. A change of interval (month to year) starts a new
 * period at the change and charges it in full; so does ending a trial. A kept trial costs
 * nothing now: the new terms are charged when it ends.
 */
export function prorateChange(input: ProrationInput): ProratedChange {
  const { current, next, period, prorationDate, trialEnd } = input;
  const currency = next.price.currency;
  const at = prorationDate;
  if (trialEnd instanceof Date) {
    return { invoice: estimate(currency, at, []), period, trialEnd };
  }
  const restart = { start: at, end: new Date(at.getTime() + periodDays(next.price) * DAY_MS) };
  const fullPrice = (): InvoiceLine => ({
    description: `${next.quantity} × ${productOf(next.price)}`,
    amount: (next.price.unitAmount ?? 0) * next.quantity,
    quantity: next.quantity,
    proration: false,
    period: restart,
  });
  if (trialEnd === 'now') {
    // The trial was free: nothing of it to credit.
    return { invoice: estimate(currency, at, [fullPrice()]), period: restart, trialEnd: at };
  }

  const totalDays = Math.max(1, Math.round((period.end.getTime() - period.start.getTime()) / DAY_MS));
  // Proration dates are whole seconds (as the provider's are); a period that began within the same
  // second as the change counts as begun.
  const periodStart = Math.floor(period.start.getTime() / 1000) * 1000;
  const usedDays = Math.floor((at.getTime() - periodStart) / DAY_MS);
  if (usedDays < 0 || at.getTime() >= period.end.getTime()) {
    throw new RangeError('The proration date is outside the current period');
  }
  const remaining = totalDays - usedDays;
  const share = (terms: Terms) =>
    Math.round(((terms.price.unitAmount ?? 0) * terms.quantity * remaining) / totalDays);
  const rest = { start: at, end: period.end };
  const credit: InvoiceLine = {
    description: `Unused time on ${current.quantity} × ${productOf(current.price)}`,
    amount: 0 - share(current), // never -0
    quantity: current.quantity,
    proration: true,
    period: rest,
  };
  if (next.price.interval !== current.price.interval) {
    return { invoice: estimate(currency, at, [credit, fullPrice()]), period: restart, trialEnd: null };
  }
  const charge: InvoiceLine = {
    description: `Remaining time on ${next.quantity} × ${productOf(next.price)}`,
    amount: share(next),
    quantity: next.quantity,
    proration: true,
    period: rest,
  };
  return { invoice: estimate(currency, at, [credit, charge]), period, trialEnd: null };
}

const productOf = (price: ProviderPrice) => price.productName ?? price.id;

function estimate(currency: string, date: Date, lines: InvoiceLine[]): InvoiceEstimate {
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  return { amountDue: Math.max(0, total), total, currency, date, lines };
}
