import { Injectable } from '@nestjs/common';
import { AppConfig, ProviderMode } from '../../config/app-config';
import { InvalidSignatureError, ProviderError } from '../../common/errors/domain-errors';
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
  ProviderSubscription,
  SubscriptionStatus,
  AppliedChange,
  CancellationChange,
  ChangeConfirmPageInput,
  InvoiceEstimate,
  ScheduledChange,
  ScheduledChangeInput,
  SubscriptionChangeTerms,
} from '../payment-provider';
import { Database, Transaction } from '../../database/database';
import { prorateChange } from './sandbox-proration';
import { SANDBOX_PRICES } from './sandbox-prices';
import {
  sandboxId,
  SandboxInvoice,
  SandboxStore,
  SandboxSubscription,
  SandboxSubscriptionStatus,
} from './sandbox-store';

/**
 * A payment provider that needs no network and no account: its hosted pages are served by this
 * service under /sandbox/, and what a person does there reaches the same handlers as Stripe's
 * webhooks (see SandboxFlow).
 */
@Injectable()
export class SandboxPaymentProvider extends PaymentProvider {
  readonly name = 'sandbox' as const;

  constructor(
    private readonly store: SandboxStore,
    private readonly config: AppConfig,
    private readonly db: Database,
  ) {
    super();
  }

  supportsMode(): boolean {
    return true;
  }

  async createCustomer(input: CustomerInput): Promise<ProviderCustomer> {
    return this.store.idempotent('customer', input.idempotencyKey, async () => {
      const customer = {
        id: sandboxId('customer'),
        mode: input.mode,
        accountId: input.accountId,
        name: input.name,
        email: input.email,
      };
      await this.store.insert('customer', customer);
      return customer;
    });
  }

  retrievePrice(_mode: ProviderMode, priceId: string): Promise<ProviderPrice | null> {
    return Promise.resolve(this.prices().get(priceId) ?? null);
  }

  listPrices(): Promise<ProviderPrice[]> {
    return Promise.resolve([...this.prices().values()]);
  }

  /** The sandbox catalogue, plus SUBSCRIPTION_PRICE_ID as a monthly price when it is not in it. */
  prices(): Map<string, ProviderPrice> {
    const prices = new Map(SANDBOX_PRICES.map((price) => [price.id, price]));
    if (!prices.has(this.config.subscriptionPriceId)) {
      prices.set(this.config.subscriptionPriceId, {
        id: this.config.subscriptionPriceId,
        active: true,
        type: 'recurring',
        currency: 'usd',
        unitAmount: 1500,
        interval: 'month',
        productName: 'Subscription (sandbox)',
      });
    }
    return prices;
  }

  async createCheckoutSession(input: CheckoutSessionInput): Promise<HostedCheckoutSession> {
    const session = await this.store.idempotent('checkout_session', input.idempotencyKey, async () => {
      const created = {
        id: sandboxId('checkout_session'),
        mode: input.mode,
        accountId: input.accountId,
        customerId: input.customerId,
        checkoutMode: input.checkoutMode,
        priceId: input.priceId,
        quantity: input.quantity,
        trialDays: input.checkoutMode === 'subscription' && input.trialDays ? input.trialDays : null,
        successUrl: input.successUrl,
        cancelUrl: input.cancelUrl ?? null,
        metadata: input.metadata,
        expiresAt: input.expiresAt.toISOString(),
        status: 'open' as const,
        subscriptionId: null,
      };
      await this.store.insert('checkout_session', created, input.customerId);
      return created;
    });
    return {
      id: session.id,
      url: this.pageUrl('checkout', session.id),
      expiresAt: new Date(session.expiresAt),
    };
  }

  async expireCheckoutSession(_mode: ProviderMode, sessionId: string): Promise<'expired' | 'complete'> {
    for (;;) {
      const session = await this.store.get('checkout_session', sessionId);
      if (!session) throw new ProviderError('No such checkout session');
      if (session.status !== 'open') return session.status;
      // Completing the session swaps the same document: exactly one of the two wins.
      if (await this.store.replace('checkout_session', session, { ...session, status: 'expired' }))
        return 'expired';
    }
  }

  async createPortalSession(input: PortalSessionInput): Promise<HostedSession> {
    const session = await this.store.idempotent('portal_session', input.idempotencyKey, async () => {
      const created = {
        id: sandboxId('portal_session'),
        mode: input.mode,
        customerId: input.customerId,
        returnUrl: input.returnUrl,
      };
      await this.store.insert('portal_session', created, input.customerId);
      return created;
    });
    return { id: session.id, url: this.pageUrl('portal', session.id) };
  }

  async retrieveSubscription(
    _mode: ProviderMode,
    subscriptionId: string,
  ): Promise<FetchedSubscription | null> {
    const subscription = await this.store.get('subscription', subscriptionId);
    return subscription ? fetched(subscription) : null;
  }

  async listSubscriptions(_mode: ProviderMode, customerId: string): Promise<FetchedSubscription[]> {
    return (await this.store.listByOwner('subscription', customerId)).map(fetched);
  }

  previewChange(terms: SubscriptionChangeTerms): Promise<InvoiceEstimate> {
    return this.prorated(terms).then(({ change }) => change.invoice);
  }

  /**
   * Once per idempotency key, in one transaction: the invoice, its key and the new terms (by
   * compare-and-swap). A repeat answers what the first call did, and charges nothing again.
   */
  async applyChange(terms: SubscriptionChangeTerms & { idempotencyKey: string }): Promise<AppliedChange> {
    const replayed = await this.replayedChange(terms.idempotencyKey);
    if (replayed) return replayed;
    try {
      return await this.db.transaction((tx) => this.applyOnce(terms, tx));
    } catch (error) {
      // The same key applied meanwhile (its record was taken): answer what that did.
      const raced = await this.replayedChange(terms.idempotencyKey);
      if (raced) return raced;
      throw error;
    }
  }

  private async applyOnce(
    terms: SubscriptionChangeTerms & { idempotencyKey: string },
    tx: Transaction,
  ): Promise<AppliedChange> {
    const { subscription, next, change } = await this.prorated(terms, tx);
    const customer = await this.store.get('customer', subscription.customerId, tx);
    const fails = change.invoice.amountDue > 0 && customer?.failNextPayment === true;
    const invoice: SandboxInvoice = {
      id: sandboxId('invoice'),
      customerId: subscription.customerId,
      subscriptionId: subscription.id,
      amount: change.invoice.amountDue,
      currency: change.invoice.currency,
      status: fails ? 'unpaid' : 'paid',
      description: `Change to ${terms.quantity} × ${next.price.productName ?? next.price.id}`,
      lines: change.invoice.lines.map((line) => ({
        ...line,
        period: line.period
          ? { start: line.period.start.toISOString(), end: line.period.end.toISOString() }
          : null,
      })),
      createdAt: terms.prorationDate.toISOString(),
    };
    let after = subscription;
    if (fails) {
      // The flag is spent on this payment; the subscription keeps its terms.
      if (!(await this.store.replace('customer', customer, { ...customer, failNextPayment: false }, tx)))
        throw new ProviderError('The customer changed meanwhile; retry');
    } else {
      after = {
        ...subscription,
        priceId: terms.priceId,
        quantity: terms.quantity,
        status: change.trialEnd && change.trialEnd > terms.prorationDate ? 'trialing' : 'active',
        trialEnd: change.trialEnd?.toISOString() ?? null,
        currentPeriodStart: change.period.start.toISOString(),
        currentPeriodEnd: change.period.end.toISOString(),
      };
      if (!(await this.store.replace('subscription', subscription, after, tx)))
        throw new ProviderError('The subscription changed meanwhile; preview the change again');
    }
    await this.store.insert('invoice', invoice, invoice.customerId, tx);
    await this.store.remember('invoice', terms.idempotencyKey, invoice.id, tx);
    return this.appliedChange(invoice, after);
  }

  private async replayedChange(idempotencyKey: string): Promise<AppliedChange | null> {
    const invoice = await this.store.replayed('invoice', idempotencyKey);
    const subscription = invoice?.subscriptionId
      ? await this.store.get('subscription', invoice.subscriptionId)
      : null;
    return invoice && subscription ? this.appliedChange(invoice, subscription) : null;
  }

  private appliedChange(invoice: SandboxInvoice, subscription: SandboxSubscription): AppliedChange {
    const paid = invoice.status === 'paid';
    return {
      outcome: paid ? 'applied' : 'payment_failed',
      invoiceUrl: paid ? null : this.pageUrl('invoice', invoice.id),
      subscription: fetched(subscription),
    };
  }

  /** The stored subscription, the change's prices, and what the change costs at its proration date. */
  private async prorated(terms: SubscriptionChangeTerms, tx?: Transaction) {
    const subscription = await this.store.get('subscription', terms.subscriptionId, tx);
    if (!subscription || subscription.customerId !== terms.customerId)
      throw new ProviderError('No such subscription');
    if (terms.itemId !== subscription.id) throw new ProviderError('No such subscription item');
    if (subscription.status === 'canceled') throw new ProviderError('This subscription has ended');
    if (!Number.isInteger(terms.quantity) || terms.quantity < 1)
      throw new ProviderError('The quantity must be a whole number of at least 1');
    const prices = this.prices();
    const current = { price: prices.get(subscription.priceId), quantity: subscription.quantity };
    const next = { price: prices.get(terms.priceId), quantity: terms.quantity };
    if (!current.price) throw new ProviderError('The subscription has a price the sandbox does not know');
    if (!next.price || next.price.type !== 'recurring') throw new ProviderError('No such recurring price');
    if (next.price.currency !== current.price.currency)
      throw new ProviderError('A change cannot switch currencies');
    const trialing = subscription.status === 'trialing' && subscription.trialEnd !== null;
    // As Stripe does, a running trial goes on unless the change ends it; none is ever started.
    if (terms.trialEnd instanceof Date && !trialing)
      throw new ProviderError('This subscription has no trial to keep');
    const trialEnd =
      terms.trialEnd === 'now'
        ? trialing
          ? 'now'
          : null
        : trialing
          ? (terms.trialEnd ?? new Date(subscription.trialEnd!))
          : null;
    const period = {
      start: new Date(subscription.currentPeriodStart ?? subscription.createdAt),
      end: new Date(subscription.currentPeriodEnd),
    };
    try {
      const change = prorateChange({
        current: { price: current.price, quantity: current.quantity },
        next: { price: next.price, quantity: next.quantity },
        period,
        prorationDate: terms.prorationDate,
        trialEnd,
      });
      return { subscription, next: { price: next.price, quantity: next.quantity }, change };
    } catch (error) {
      if (error instanceof RangeError) throw new ProviderError(error.message);
      throw error;
    }
  }

  /**
   * Keeps the new terms on the subscription until its renewal (SandboxFlow.renew applies them),
   * once per idempotency key and once per change id.
   */
  async scheduleChange(input: ScheduledChangeInput): Promise<ScheduledChange> {
    const schedule = await this.store.idempotent('subscription_schedule', input.idempotencyKey, () =>
      this.attachSchedule(input),
    );
    const subscription = await this.store.get('subscription', schedule.subscriptionId);
    if (!subscription) throw new ProviderError('No such subscription');
    return { scheduleId: schedule.id, subscription: fetched(subscription) };
  }

  private async attachSchedule(input: ScheduledChangeInput): Promise<{ id: string; subscriptionId: string }> {
    const price = this.prices().get(input.priceId);
    if (!price || price.type !== 'recurring') throw new ProviderError('No such recurring price');
    if (!Number.isInteger(input.quantity) || input.quantity < 1)
      throw new ProviderError('The quantity must be a whole number of at least 1');
    for (;;) {
      const subscription = await this.store.get('subscription', input.subscriptionId);
      if (!subscription) throw new ProviderError('No such subscription');
      if (subscription.schedule?.changeId === input.changeId)
        return { id: subscription.schedule.id, subscriptionId: subscription.id };
      if (subscription.status === 'canceled') throw new ProviderError('This subscription has ended');
      if (subscription.schedule) throw new ProviderError('This subscription already has a scheduled change');
      if (subscription.priceId !== input.currentPriceId || subscription.quantity !== input.currentQuantity)
        throw new ProviderError('The subscription is not on the terms the schedule starts from');
      const schedule = {
        id: sandboxId('subscription_schedule'),
        priceId: input.priceId,
        quantity: input.quantity,
        effectiveAt: input.effectiveAt.toISOString(),
        changeId: input.changeId,
      };
      const attached = await this.db.transaction(async (tx) => {
        if (!(await this.store.replace('subscription', subscription, { ...subscription, schedule }, tx)))
          return false;
        await this.store.insert(
          'subscription_schedule',
          { id: schedule.id, subscriptionId: subscription.id },
          subscription.customerId,
          tx,
        );
        return true;
      });
      if (attached) return { id: schedule.id, subscriptionId: subscription.id };
    }
  }

  /** Null when the schedule is unknown; a schedule already gone answers the subscription as it is. */
  async releaseSchedule(
    _mode: ProviderMode,
    scheduleId: string,
    _idempotencyKey: string,
  ): Promise<FetchedSubscription | null> {
    const schedule = await this.store.get('subscription_schedule', scheduleId);
    if (!schedule) return null;
    for (;;) {
      const subscription = await this.store.get('subscription', schedule.subscriptionId);
      if (!subscription) return null;
      if (subscription.schedule?.id !== scheduleId) return fetched(subscription);
      const released = { ...subscription, schedule: null };
      if (await this.store.replace('subscription', subscription, released)) return fetched(released);
    }
  }

  /** Setting what is already set changes nothing, so a repeat needs no key of its own. */
  async changeCancellation(
    _mode: ProviderMode,
    subscriptionId: string,
    change: CancellationChange,
    _idempotencyKey: string,
  ): Promise<FetchedSubscription> {
    for (;;) {
      const subscription = await this.store.get('subscription', subscriptionId);
      if (!subscription) throw new ProviderError('No such subscription');
      if (subscription.status === 'canceled') {
        if (change === 'now') return fetched(subscription);
        throw new ProviderError('This subscription has ended');
      }
      const next: SandboxSubscription =
        change === 'now'
          ? { ...subscription, status: 'canceled', cancelAtPeriodEnd: false, schedule: null }
          : { ...subscription, cancelAtPeriodEnd: change === 'period_end' };
      if (next.cancelAtPeriodEnd === subscription.cancelAtPeriodEnd && next.status === subscription.status)
        return fetched(subscription);
      if (await this.store.replace('subscription', subscription, next)) return fetched(next);
    }
  }

  /** The sandbox's own page for the service's change (SandboxChangePagesController). */
  async createChangeConfirmPage(input: ChangeConfirmPageInput): Promise<HostedSession> {
    const subscription = await this.store.get('subscription', input.subscriptionId);
    if (!subscription || subscription.customerId !== input.customerId)
      throw new ProviderError('No such subscription');
    return { id: input.changeId, url: this.pageUrl('change', input.changeId) };
  }

  /** What a person does on the sandbox pages reaches the handlers directly (SandboxFlow). */
  parseWebhook(_rawBody: Buffer, _signature: string | undefined): PaymentEvent {
    throw new InvalidSignatureError('The sandbox provider does not send webhooks over HTTP');
  }

  private pageUrl(page: 'checkout' | 'portal' | 'invoice' | 'change', id: string): string {
    return `${this.config.publicUrl}/sandbox/${page}/${encodeURIComponent(id)}`;
  }
}

const SUBSCRIPTION_STATUSES: Record<SandboxSubscriptionStatus, SubscriptionStatus> = {
  trialing: 'trialing',
  active: 'active',
  past_due: 'past_due',
  canceled: 'canceled',
};

/** The sandbox is its own provider: its clock is this service's. */
export const fetched = (subscription: SandboxSubscription): FetchedSubscription => ({
  subscription: toProviderSubscription(subscription),
  asOf: new Date(),
});

export function toProviderSubscription(subscription: SandboxSubscription): ProviderSubscription {
  return {
    id: subscription.id,
    customerId: subscription.customerId,
    status: SUBSCRIPTION_STATUSES[subscription.status],
    itemId: subscription.id,
    itemCount: 1,
    priceId: subscription.priceId,
    quantity: subscription.quantity,
    trialEnd: subscription.trialEnd ? new Date(subscription.trialEnd) : null,
    currentPeriodStart: new Date(subscription.currentPeriodStart ?? subscription.createdAt),
    currentPeriodEnd: new Date(subscription.currentPeriodEnd),
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    cancelAt: null,
    scheduleId: subscription.schedule?.id ?? null,
    pendingUpdateExpiresAt: null,
    accountId: subscription.metadata.accountId ?? null,
  };
}
