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
  InvoiceEstimate,
  ScheduledChange,
} from '../payment-provider';
import { SANDBOX_PRICES } from './sandbox-prices';
import { sandboxId, SandboxStore, SandboxSubscription, SandboxSubscriptionStatus } from './sandbox-store';

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
    // The sandbox is its own provider: its clock is this service's.
    return subscription ? { subscription: toProviderSubscription(subscription), asOf: new Date() } : null;
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

  /** What a person does on the sandbox pages reaches the handlers directly (SandboxFlow). */
  parseWebhook(_rawBody: Buffer, _signature: string | undefined): PaymentEvent {
    throw new InvalidSignatureError('The sandbox provider does not send webhooks over HTTP');
  }

  private pageUrl(page: 'checkout' | 'portal', id: string): string {
    return `${this.config.publicUrl}/sandbox/${page}/${id}`;
  }
}

const SUBSCRIPTION_STATUSES: Record<SandboxSubscriptionStatus, SubscriptionStatus> = {
  trialing: 'trialing',
  active: 'active',
  canceled: 'canceled',
};

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
    scheduleId: null,
    pendingUpdateExpiresAt: null,
    accountId: subscription.metadata.accountId ?? null,
  };
}
