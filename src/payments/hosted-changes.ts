import { InvoiceEstimate } from './payment-provider';

/** A change checkout as its hosted confirmation page shows it. */
export interface HostedChangeView {
  sessionId: string;
  /** `open` while it can be confirmed; otherwise what became of it. */
  status: string;
  type: 'plan_change' | 'quantity_update';
  timing: 'immediate' | 'period_end';
  from: { priceId: string; quantity: number };
  to: { priceId: string; quantity: number };
  /** When the new terms take effect. */
  effectiveAt: Date;
  expiresAt: Date;
  estimates: { currentInvoice: InvoiceEstimate | null; nextInvoice: InvoiceEstimate | null };
  /** What the change does to a running trial: kept until its end, ended now, or there is none. */
  trial: { effect: 'kept' | 'ended' | 'none'; endsAt: Date | null };
}

/**
 * What a provider's own confirmation page (the sandbox's) needs of the service's change
 * checkouts: read one, confirm it, cancel it. The application provides it; the adapter's pages
 * depend only on this port. `confirm` and `cancel` answer where to send the person next.
 */
export abstract class HostedChanges {
  abstract view(sessionId: string): Promise<HostedChangeView | null>;
  abstract confirm(sessionId: string): Promise<{ redirectUrl: string }>;
  abstract cancel(sessionId: string): Promise<{ redirectUrl: string }>;
}
