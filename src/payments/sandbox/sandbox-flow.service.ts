import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { BadRequestError, NotFoundError } from '../../common/errors/domain-errors';
import { WebhookProcessor } from '../../webhooks/webhook-processor.service';
import { PaymentEvent, PaymentEventPayload, ProviderPrice } from '../payment-provider';
import { SandboxPaymentProvider, toProviderSubscription } from './sandbox-payment-provider';
import {
  sandboxId,
  SandboxCheckoutSession,
  SandboxInvoice,
  SandboxPortalSession,
  SandboxStore,
  SandboxSubscription,
} from './sandbox-store';

const DAY_MS = 24 * 60 * 60 * 1000;
const PERIOD_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };

export interface CheckoutView {
  session: SandboxCheckoutSession;
  price: ProviderPrice | null;
}

export interface PortalView {
  session: SandboxPortalSession;
  subscriptions: Array<{ subscription: SandboxSubscription; price: ProviderPrice | null }>;
  invoices: SandboxInvoice[];
}

/**
 * What a person does on the sandbox's hosted pages. The outcome is recorded by producing the
 * events Stripe would send and handing them to the same WebhookProcessor as Stripe's webhooks.
 */
@Injectable()
export class SandboxFlow {
  constructor(
    private readonly store: SandboxStore,
    private readonly provider: SandboxPaymentProvider,
    private readonly processor: WebhookProcessor,
  ) {}

  async checkout(sessionId: string): Promise<CheckoutView> {
    const session = await this.store.get('checkout_session', sessionId);
    if (!session) throw new NotFoundError('No such checkout session');
    if (session.status === 'open' && new Date(session.expiresAt).getTime() <= Date.now()) {
      session.status = 'expired';
      await this.store.update('checkout_session', session);
      await this.emit(session.mode, 'checkout.session.expired', {
        kind: 'checkout.expired',
        session: { ...this.checkoutRef(session) },
      });
    }
    return { session, price: this.provider.prices().get(session.priceId) ?? null };
  }

  /** "Subscribe" (or "Pay"): completes the session and returns the success URL to go to. */
  async complete(sessionId: string): Promise<string> {
    const { session, price } = await this.checkout(sessionId);
    if (session.status !== 'open') throw new BadRequestError(`This checkout session is ${session.status}`);
    const now = new Date();
    let subscription: SandboxSubscription | null = null;
    if (session.checkoutMode === 'subscription') {
      const trialEnd = session.trialDays ? new Date(now.getTime() + session.trialDays * DAY_MS) : null;
      const periodDays = PERIOD_DAYS[price?.interval ?? 'month'] ?? 30;
      subscription = {
        id: sandboxId('subscription'),
        mode: session.mode,
        customerId: session.customerId,
        status: trialEnd ? 'trialing' : 'active',
        priceId: session.priceId,
        quantity: session.quantity,
        trialEnd: trialEnd?.toISOString() ?? null,
        currentPeriodEnd: (trialEnd ?? new Date(now.getTime() + periodDays * DAY_MS)).toISOString(),
        cancelAtPeriodEnd: false,
        metadata: session.metadata,
        createdAt: now.toISOString(),
      };
      await this.store.insert('subscription', subscription, session.customerId);
    }
    const invoice: SandboxInvoice = {
      id: sandboxId('invoice'),
      customerId: session.customerId,
      subscriptionId: subscription?.id ?? null,
      amount: subscription?.trialEnd ? 0 : (price?.unitAmount ?? 0) * session.quantity,
      currency: price?.currency ?? 'usd',
      status: 'paid',
      description: `${price?.productName ?? session.priceId} × ${session.quantity}`,
      createdAt: now.toISOString(),
    };
    await this.store.insert('invoice', invoice, session.customerId);
    session.status = 'complete';
    session.subscriptionId = subscription?.id ?? null;
    await this.store.update('checkout_session', session);

    if (subscription) {
      await this.emit(session.mode, 'customer.subscription.created', {
        kind: 'subscription',
        subscription: toProviderSubscription(subscription),
      });
      await this.emit(session.mode, 'invoice.paid', { kind: 'invoice', subscriptionId: subscription.id });
    }
    await this.emit(session.mode, 'checkout.session.completed', {
      kind: 'checkout.completed',
      session: this.checkoutRef(session),
    });
    return session.successUrl.split('{CHECKOUT_SESSION_ID}').join(session.id);
  }

  /** "Cancel" on the checkout page: nothing changes; the cancel URL, when there is one. */
  async cancelUrl(sessionId: string): Promise<string | null> {
    const { session } = await this.checkout(sessionId);
    return session.cancelUrl;
  }

  async portal(portalSessionId: string): Promise<PortalView> {
    const session = await this.store.get('portal_session', portalSessionId);
    if (!session) throw new NotFoundError('No such portal session');
    const prices = this.provider.prices();
    const subscriptions = await this.store.listByOwner('subscription', session.customerId);
    const invoices = await this.store.listByOwner('invoice', session.customerId);
    return {
      session,
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
    const { session } = await this.portal(portalSessionId);
    const subscription = await this.store.get('subscription', subscriptionId);
    if (!subscription || subscription.customerId !== session.customerId) {
      throw new NotFoundError('No such subscription');
    }
    if (subscription.status === 'canceled') throw new BadRequestError('This subscription has ended');
    subscription.cancelAtPeriodEnd = cancel;
    await this.store.update('subscription', subscription);
    await this.emit(subscription.mode, 'customer.subscription.updated', {
      kind: 'subscription',
      subscription: toProviderSubscription(subscription),
    });
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

  private async emit(mode: PaymentEvent['mode'], type: string, payload: PaymentEventPayload): Promise<void> {
    const event = {
      id: `evt_sbx_${randomBytes(12).toString('hex')}`,
      type,
      created: new Date(),
      mode,
      ...payload,
    };
    await this.processor.process(event);
  }
}
