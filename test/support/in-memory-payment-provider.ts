import { InvalidSignatureError } from '../../src/common/errors/domain-errors';
import { ProviderMode } from '../../src/config/app-config';
import {
  CheckoutSessionInput,
  FetchedSubscription,
  HostedCheckoutSession,
  HostedSession,
  PaymentEvent,
  PaymentProvider,
  PortalSessionInput,
  ProviderCustomer,
  ProviderPrice,
  ProviderSubscription,
  AppliedChange,
  InvoiceEstimate,
  ScheduledChange,
} from '../../src/payments/payment-provider';

/** A PaymentProvider for unit tests: remembers every call, can be made slow or failing. */
export class InMemoryPaymentProvider extends PaymentProvider {
  readonly name = 'stripe' as const;
  readonly customers: Array<{ id: string; accountId: string; idempotencyKey: string }> = [];
  readonly checkoutSessions: Array<
    CheckoutSessionInput & { id: string; status: 'open' | 'complete' | 'expired' }
  > = [];
  readonly portalSessions: PortalSessionInput[] = [];
  readonly prices = new Map<string, ProviderPrice>();
  readonly subscriptions = new Map<string, ProviderSubscription>();
  priceLookups = 0;
  priceListings = 0;
  subscriptionLookups = 0;
  /** Milliseconds each create call takes. */
  latencyMs = 0;
  /** The next create calls throw this error (then it is cleared). */
  failWith: Error | null = null;
  modes = new Set<ProviderMode>(['live']);
  private sequence = 0;

  supportsMode(mode: ProviderMode): boolean {
    return this.modes.has(mode);
  }

  async createCustomer(input: { accountId: string; idempotencyKey: string }): Promise<ProviderCustomer> {
    await this.work();
    const existing = this.customers.find((customer) => customer.idempotencyKey === input.idempotencyKey);
    if (existing) return { id: existing.id };
    const customer = {
      id: `cus_${++this.sequence}`,
      accountId: input.accountId,
      idempotencyKey: input.idempotencyKey,
    };
    this.customers.push(customer);
    return { id: customer.id };
  }

  async retrievePrice(_mode: ProviderMode, priceId: string): Promise<ProviderPrice | null> {
    this.priceLookups++;
    await Promise.resolve();
    return this.prices.get(priceId) ?? null;
  }

  async listPrices(): Promise<ProviderPrice[]> {
    this.priceListings++;
    await Promise.resolve();
    return [...this.prices.values()];
  }

  async createCheckoutSession(input: CheckoutSessionInput): Promise<HostedCheckoutSession> {
    await this.work();
    const id = `cs_${++this.sequence}`;
    this.checkoutSessions.push({ ...input, id, status: 'open' });
    return { id, url: `https://checkout.test/${id}`, expiresAt: input.expiresAt };
  }

  async expireCheckoutSession(_mode: ProviderMode, sessionId: string): Promise<'expired' | 'complete'> {
    await this.work();
    const session = this.checkoutSessions.find((candidate) => candidate.id === sessionId);
    if (!session) throw new Error(`no checkout session ${sessionId}`);
    if (session.status === 'open') session.status = 'expired';
    return session.status;
  }

  async createPortalSession(input: PortalSessionInput): Promise<HostedSession> {
    await this.work();
    this.portalSessions.push(input);
    return { id: `bps_${++this.sequence}`, url: 'https://portal.test/' };
  }

  async retrieveSubscription(_mode: ProviderMode, id: string): Promise<FetchedSubscription | null> {
    this.subscriptionLookups++;
    await Promise.resolve();
    const subscription = this.subscriptions.get(id);
    return subscription ? { subscription, asOf: new Date() } : null;
  }

  async listSubscriptions(_mode: ProviderMode, customerId: string): Promise<FetchedSubscription[]> {
    await Promise.resolve();
    return [...this.subscriptions.values()]
      .filter((subscription) => subscription.customerId === customerId)
      .map((subscription) => ({ subscription, asOf: new Date() }));
  }

  parseWebhook(): PaymentEvent {
    throw new InvalidSignatureError('not used in unit tests');
  }

  private async work(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    else await Promise.resolve();
    if (this.failWith) {
      const error = this.failWith;
      this.failWith = null;
      throw error;
    }
  }

  // -- subscription changes: not modelled here; the Stripe-shaped server and the sandbox have them --
  previewChange(): Promise<InvoiceEstimate> {
    return notModelled('previewChange');
  }

  applyChange(): Promise<AppliedChange> {
    return notModelled('applyChange');
  }

  scheduleChange(): Promise<ScheduledChange> {
    return notModelled('scheduleChange');
  }

  releaseSchedule(): Promise<FetchedSubscription | null> {
    return notModelled('releaseSchedule');
  }

  changeCancellation(): Promise<FetchedSubscription> {
    return notModelled('changeCancellation');
  }

  createChangeConfirmPage(): Promise<HostedSession> {
    return notModelled('createChangeConfirmPage');
  }
}

function notModelled<T>(method: string): Promise<T> {
  return Promise.reject(
    new Error(
      `${method}: the in-memory provider does not model subscription changes (the e2e tests cover them)`,
    ),
  );
}
