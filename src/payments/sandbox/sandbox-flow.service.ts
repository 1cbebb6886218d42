import { fillSessionId } from '../../common/validation/redirect-url';
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { BadRequestError, NotFoundError } from '../../common/errors/domain-errors';
import { Database, Transaction } from '../../database/database';
import { PaymentEventSink } from '../payment-event-sink';
import { PaymentEvent, PaymentEventPayload, ProviderPrice } from '../payment-provider';
import { SandboxPaymentProvider, toProviderSubscription } from './sandbox-payment-provider';
import { DAY_MS, periodDays } from './sandbox-proration';
import {
  sandboxId,
  SandboxCheckoutSession,
  SandboxCustomer,
  SandboxInvoice,
  SandboxPortalSession,
  SandboxStore,
  SandboxSubscription,
} from './sandbox-store';

export interface CheckoutView {
  session: SandboxCheckoutSession;
  price: ProviderPrice | null;
}

export interface PortalView {
  session: SandboxPortalSession;
  customer: SandboxCustomer | null;
  subscriptions: Array<{ subscription: SandboxSubscription; price: ProviderPrice | null }>;
  invoices: SandboxInvoice[];
}

/**
 * What a person does on the sandbox's hosted pages. The outcome is recorded by producing the
 * events Stripe would send and handing them to the same processing as Stripe's webhooks (PaymentEventSink).
 */
@Injectable()
export class SandboxFlow {
  constructor(
    private readonly store: SandboxStore,
    private readonly provider: SandboxPaymentProvider,
    private readonly events: PaymentEventSink,
    private readonly db: Database,
  ) {}

  prices(): Map<string, ProviderPrice> {
    return this.provider.prices();
  }

  async checkout(sessionId: string): Promise<CheckoutView> {
    let session = await this.store.get('checkout_session', sessionId);
    if (!session) throw new NotFoundError('No such checkout session');
    if (session.status === 'open' && new Date(session.expiresAt).getTime() <= Date.now()) {
      const expired = { ...session, status: 'expired' as const };
      if (await this.store.replace('checkout_session', session, expired)) {
        await this.emit(null, session.mode, 'checkout.session.expired', {
          kind: 'checkout.expired',
          session: { ...this.checkoutRef(expired) },
        });
        session = expired;
      } else {
        session = (await this.store.get('checkout_session', sessionId)) ?? session;
      }
    }
    return { session, price: this.provider.prices().get(session.priceId) ?? null };
  }

  /**
   * "Subscribe" (or "Pay"): completes the session and returns the success URL to go to. One
   * transaction writes the sandbox's objects and the service's records of them, so a failure on
   * the way leaves the session open and nothing else written; and the session moves from open to
   * complete by a compare-and-swap, so that of two clicks racing (on any instance) one completes
   * it and the other is told it is complete.
   */
  async complete(sessionId: string): Promise<string> {
    const { session: current, price } = await this.checkout(sessionId);
    return this.db.transaction(async (tx) => {
      if (current.status !== 'open') throw new BadRequestError(`This checkout session is ${current.status}`);
      const now = new Date();
      const subscription =
        current.checkoutMode === 'subscription' ? this.newSubscription(current, price, now) : null;
      const session: SandboxCheckoutSession = {
        ...current,
        status: 'complete',
        subscriptionId: subscription?.id ?? null,
      };
      if (!(await this.store.replace('checkout_session', current, session, tx))) {
        const latest = await this.store.get('checkout_session', sessionId, tx);
        throw new BadRequestError(`This checkout session is ${latest?.status ?? 'gone'}`);
      }
      if (subscription) await this.store.insert('subscription', subscription, session.customerId, tx);
      await this.store.insert(
        'invoice',
        this.invoiceFor(session, subscription, price, now),
        session.customerId,
        tx,
      );

      const state = subscription ? toProviderSubscription(subscription) : undefined;
      if (state) {
        await this.emit(tx, session.mode, 'customer.subscription.created', {
          kind: 'subscription',
          subscription: state,
        });
        await this.emit(tx, session.mode, 'invoice.paid', {
          kind: 'invoice',
          subscriptionId: state.id,
          subscription: state,
        });
      }
      await this.emit(tx, session.mode, 'checkout.session.completed', {
        kind: 'checkout.completed',
        session: this.checkoutRef(session),
        subscription: state,
      });
      return fillSessionId(session.successUrl, session.id);
    });
  }

  private newSubscription(
    session: SandboxCheckoutSession,
    price: ProviderPrice | null,
    now: Date,
  ): SandboxSubscription {
    const trialEnd = session.trialDays ? new Date(now.getTime() + session.trialDays * DAY_MS) : null;
    return {
      id: sandboxId('subscription'),
      mode: session.mode,
      customerId: session.customerId,
      status: trialEnd ? 'trialing' : 'active',
      priceId: session.priceId,
      quantity: session.quantity,
      trialEnd: trialEnd?.toISOString() ?? null,
      currentPeriodEnd: (trialEnd ?? new Date(now.getTime() + periodDays(price) * DAY_MS)).toISOString(),
      cancelAtPeriodEnd: false,
      metadata: session.metadata,
      createdAt: now.toISOString(),
    };
  }

  private invoiceFor(
    session: SandboxCheckoutSession,
    subscription: SandboxSubscription | null,
    price: ProviderPrice | null,
    now: Date,
  ): SandboxInvoice {
    return {
      id: sandboxId('invoice'),
      customerId: session.customerId,
      subscriptionId: subscription?.id ?? null,
      amount: subscription?.trialEnd ? 0 : (price?.unitAmount ?? 0) * session.quantity,
      currency: price?.currency ?? 'usd',
      status: 'paid',
      description: `${price?.productName ?? session.priceId} × ${session.quantity}`,
      createdAt: now.toISOString(),
    };
  }

  /** "Cancel" on the checkout page: nothing changes; the cancel URL, when there is one. */
  async cancelUrl(sessionId: string): Promise<string | null> {
    const { session } = await this.checkout(sessionId);
    return session.cancelUrl;
  }

  async portal(portalSessionId: string): Promise<PortalView> {
    const session = await this.portalSession(portalSessionId);
    const prices = this.provider.prices();
    const subscriptions = await this.store.listByOwner('subscription', session.customerId);
    const invoices = await this.store.listByOwner('invoice', session.customerId);
    return {
      session,
      customer: await this.store.get('customer', session.customerId),
      subscriptions: subscriptions.map((subscription) => ({
        subscription,
        price: prices.get(subscription.priceId) ?? null,
      })),
      invoices,
    };
  }

  /** Sets or clears cancel-at-period-end on one of the portal customer's subscriptions. */
  async setCancelAtPeriodEnd(
    portalSessionId: string,
    subscriptionId: string,
    cancel: boolean,
  ): Promise<void> {
    const session = await this.portalSession(portalSessionId);
    await this.db.transaction(async (tx) => {
      const current = await this.liveSubscription(subscriptionId, session.customerId, tx);
      const subscription = { ...current, cancelAtPeriodEnd: cancel };
      await this.replaceSubscription(current, subscription, tx);
      await this.emit(tx, subscription.mode, 'customer.subscription.updated', {
        kind: 'subscription',
        subscription: toProviderSubscription(subscription),
      });
    });
  }

  /** "Advance to the next renewal" on the portal, for one of its customer's subscriptions. */
  async renew(portalSessionId: string, subscriptionId: string): Promise<void> {
    const session = await this.portalSession(portalSessionId);
    await this.renewSubscription(subscriptionId, session.customerId);
  }

  /**
   * The period ends now, as if its time were up (Stripe's test clock advanced to it). A
   * subscription set to cancel at period end ends; any other starts a new period (from now) on
   * its scheduled terms when a change is scheduled, ends its trial, and pays the new period's
   * invoice, or goes past due when that payment fails. `customerId`: whose subscription it must be
   * (the portal's customer); the admin API checked the account already and names none.
   */
  async renewSubscription(subscriptionId: string, customerId?: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const current = await this.liveSubscription(subscriptionId, customerId, tx);
      const now = new Date();
      const schedule = current.schedule ?? null;
      if (current.cancelAtPeriodEnd) {
        const ended: SandboxSubscription = {
          ...current,
          status: 'canceled',
          currentPeriodEnd: now.toISOString(),
          schedule: null,
        };
        await this.replaceSubscription(current, ended, tx);
        const state = toProviderSubscription(ended);
        if (schedule) {
          await this.emit(tx, ended.mode, 'subscription_schedule.canceled', {
            kind: 'schedule',
            schedule: {
              id: schedule.id,
              subscriptionId: ended.id,
              status: 'canceled',
              changeId: schedule.changeId,
            },
            subscription: state,
          });
        }
        await this.emit(tx, ended.mode, 'customer.subscription.deleted', {
          kind: 'subscription',
          subscription: state,
        });
        return;
      }
      const { renewed, paid } = await this.startPeriod(
        current,
        {
          ...current,
          priceId: schedule?.priceId ?? current.priceId,
          quantity: schedule?.quantity ?? current.quantity,
          schedule: null,
        },
        now,
        tx,
      );
      if (schedule) {
        await this.emit(tx, renewed.mode, 'subscription_schedule.completed', {
          kind: 'schedule',
          schedule: {
            id: schedule.id,
            subscriptionId: renewed.id,
            status: 'completed',
            changeId: schedule.changeId,
          },
          subscription: toProviderSubscription(renewed),
        });
      }
      await this.emitRenewal(renewed, paid, tx);
    });
  }

  /** "End the trial now" on the portal, for one of its customer's subscriptions. */
  async endTrial(portalSessionId: string, subscriptionId: string): Promise<void> {
    const session = await this.portalSession(portalSessionId);
    await this.endTrialOf(subscriptionId, session.customerId);
  }

  /**
   * The trial ends now: the subscription pays its first period, from now, and is active (past due
   * when that payment fails). `customerId` as for renewSubscription.
   */
  async endTrialOf(subscriptionId: string, customerId?: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const current = await this.liveSubscription(subscriptionId, customerId, tx);
      if (current.status !== 'trialing') throw new BadRequestError('This subscription is not in a trial');
      const { renewed, paid } = await this.startPeriod(current, current, new Date(), tx);
      await this.emitRenewal(renewed, paid, tx);
    });
  }

  /** "Fail the next payment" (or let it succeed after all) on the portal, for its customer. */
  async setFailNextPayment(portalSessionId: string, fail: boolean): Promise<void> {
    const session = await this.portalSession(portalSessionId);
    await this.setCustomerFailNextPayment(session.customerId, fail);
  }

  /**
   * The next payment of the subscription's customer fails: a renewal, the end of a trial, or a
   * change that charges something (which is then kept unapplied).
   */
  async failNextPaymentOf(subscriptionId: string): Promise<void> {
    const subscription = await this.store.get('subscription', subscriptionId);
    if (!subscription) throw new NotFoundError('No such subscription');
    await this.setCustomerFailNextPayment(subscription.customerId, true);
  }

  private async setCustomerFailNextPayment(customerId: string, fail: boolean): Promise<void> {
    const customer = await this.store.get('customer', customerId);
    if (!customer) throw new NotFoundError('No such customer');
    if (customer.failNextPayment === fail) return;
    if (!(await this.store.replace('customer', customer, { ...customer, failNextPayment: fail }))) {
      throw new BadRequestError('This customer changed meanwhile; try again');
    }
  }

  async invoice(invoiceId: string): Promise<SandboxInvoice> {
    const invoice = await this.store.get('invoice', invoiceId);
    if (!invoice) throw new NotFoundError('No such invoice');
    return invoice;
  }

  /**
   * Stores `next` (the terms of the new period) as the subscription with a new period from `now`
   * and its trial over, and the period's invoice: paid, or unpaid when the customer's next payment
   * was set to fail (the flag is spent on it, and the subscription is past due, as Stripe leaves
   * one whose renewal charge failed).
   */
  private async startPeriod(
    current: SandboxSubscription,
    next: SandboxSubscription,
    now: Date,
    tx: Transaction,
  ): Promise<{ renewed: SandboxSubscription; paid: boolean }> {
    const price = this.provider.prices().get(next.priceId) ?? null;
    const end = new Date(now.getTime() + periodDays(price) * DAY_MS);
    const amount = (price?.unitAmount ?? 0) * next.quantity;
    const customer = await this.store.get('customer', next.customerId, tx);
    const failing = amount > 0 && customer?.failNextPayment === true ? customer : null;
    // The flag is spent on this payment, in the same transaction as its outcome.
    if (
      failing &&
      !(await this.store.replace('customer', failing, { ...failing, failNextPayment: false }, tx))
    )
      throw new BadRequestError('This customer changed meanwhile; try again');
    const paid = failing === null;
    const renewed: SandboxSubscription = {
      ...next,
      status: paid ? 'active' : 'past_due',
      trialEnd: current.status === 'trialing' ? now.toISOString() : current.trialEnd,
      currentPeriodStart: now.toISOString(),
      currentPeriodEnd: end.toISOString(),
    };
    await this.replaceSubscription(current, renewed, tx);
    const description = `${renewed.quantity} × ${price?.productName ?? renewed.priceId}`;
    const invoice: SandboxInvoice = {
      id: sandboxId('invoice'),
      customerId: renewed.customerId,
      subscriptionId: renewed.id,
      amount,
      currency: price?.currency ?? 'usd',
      status: paid ? 'paid' : 'unpaid',
      billingReason: 'subscription_cycle',
      description,
      lines: [
        {
          description,
          amount,
          quantity: renewed.quantity,
          proration: false,
          period: { start: renewed.currentPeriodStart!, end: renewed.currentPeriodEnd },
        },
      ],
      createdAt: now.toISOString(),
    };
    await this.store.insert('invoice', invoice, invoice.customerId, tx);
    return { renewed, paid };
  }

  /** What Stripe sends for a new period: the subscription's new state, and its invoice's outcome. */
  private async emitRenewal(renewed: SandboxSubscription, paid: boolean, tx: Transaction): Promise<void> {
    const state = toProviderSubscription(renewed);
    await this.emit(tx, renewed.mode, 'customer.subscription.updated', {
      kind: 'subscription',
      subscription: state,
    });
    await this.emit(tx, renewed.mode, paid ? 'invoice.paid' : 'invoice.payment_failed', {
      kind: 'invoice',
      subscriptionId: state.id,
      subscription: state,
    });
  }

  private async portalSession(portalSessionId: string): Promise<SandboxPortalSession> {
    const session = await this.store.get('portal_session', portalSessionId);
    if (!session) throw new NotFoundError('No such portal session');
    return session;
  }

  /** A subscription that has not ended, of the customer when one is named. */
  private async liveSubscription(
    subscriptionId: string,
    customerId: string | undefined,
    tx: Transaction,
  ): Promise<SandboxSubscription> {
    const subscription = await this.store.get('subscription', subscriptionId, tx);
    if (!subscription || (customerId !== undefined && subscription.customerId !== customerId)) {
      throw new NotFoundError('No such subscription');
    }
    if (subscription.status === 'canceled') throw new BadRequestError('This subscription has ended');
    return subscription;
  }

  private async replaceSubscription(
    current: SandboxSubscription,
    next: SandboxSubscription,
    tx: Transaction,
  ): Promise<void> {
    if (!(await this.store.replace('subscription', current, next, tx))) {
      throw new BadRequestError('This subscription changed meanwhile; try again');
    }
  }

  private checkoutRef(session: SandboxCheckoutSession) {
    return {
      id: session.id,
      customerId: session.customerId,
      subscriptionId: session.subscriptionId,
      checkoutMode: session.checkoutMode,
      accountId: session.accountId,
    };
  }

  /**
   * Hands an event to the same processing as the provider's webhooks: inside the caller's
   * transaction when there is one (the sandbox's objects and the service's records together),
   * else on its own.
   */
  private async emit(
    tx: Transaction | null,
    mode: PaymentEvent['mode'],
    type: string,
    payload: PaymentEventPayload,
  ): Promise<void> {
    const event = {
      id: `evt_sbx_${randomBytes(12).toString('hex')}`,
      type,
      created: new Date(),
      mode,
      ...payload,
    };
    if (tx) await this.events.processWithin(event, tx);
    else await this.events.process(event);
  }
}
