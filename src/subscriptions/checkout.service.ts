import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AppConfig, ProviderMode } from '../config/app-config';
import { pollUntil } from '../common/concurrency/poll';
import {
  AlreadySubscribedError,
  CheckoutInProgressError,
  NotFoundError,
} from '../common/errors/domain-errors';
import { RedirectUrlPolicy } from '../common/redirect/redirect-url.policy';
import { mergeMetadata } from '../common/validation/metadata';
import { CustomersService } from '../customers/customers.service';
import { CheckoutMode, HostedSession, PaymentProvider } from '../payments/payment-provider';
import { ProviderCallBudget } from '../payments/provider-call-budget';
import { PriceCatalog } from './price-catalog';
import { ActiveCheckout, CheckoutKey, CheckoutSessionsRepository } from './checkout-sessions.repository';

export interface CheckoutRequest {
  accountId: string;
  mode: ProviderMode;
  checkoutMode: CheckoutMode;
  priceId: string;
  quantity: number;
  successUrl: string;
  cancelUrl?: string;
  metadata?: Record<string, string>;
  allowExistingSubscription: boolean;
  expiresInMinutes: number;
  /** Check the price against the provider and ALLOWED_PRICE_IDS (for caller-chosen prices). */
  verifyPrice: boolean;
}

export const DEFAULT_CHECKOUT_EXPIRY_MINUTES = 24 * 60;

/**
 * Starts hosted checkouts for both checkout endpoints, with the guarantees of DESIGN.md §5:
 * one provider customer per account (1), no accidental second subscription and no duplicate
 * open checkout (2), one trial per account ever (3), the service's metadata keys win (4), and
 * no half-written state when the provider fails (9).
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly checkouts: CheckoutSessionsRepository,
    private readonly accounts: AccountsRepository,
    private readonly customers: CustomersService,
    private readonly provider: PaymentProvider,
    private readonly budget: ProviderCallBudget,
    private readonly redirects: RedirectUrlPolicy,
    private readonly prices: PriceCatalog,
    private readonly config: AppConfig,
  ) {}

  async start(request: CheckoutRequest): Promise<HostedSession> {
    this.redirects.assertAllowed('successUrl', request.successUrl);
    if (request.cancelUrl !== undefined) this.redirects.assertAllowed('cancelUrl', request.cancelUrl);
    if (!this.provider.supportsMode(request.mode)) throw new NotFoundError('Test mode is not configured');
    if (request.verifyPrice)
      await this.prices.assertPurchasable(request.mode, request.priceId, request.checkoutMode);

    const key: CheckoutKey = {
      accountId: request.accountId,
      provider: this.provider.name,
      mode: request.mode,
      checkoutMode: request.checkoutMode,
      priceId: request.priceId,
      quantity: request.quantity,
    };
    const deadline = this.leaseUntil().getTime();
    while (Date.now() < deadline) {
      // The common case, in one round trip: claim the checkout and learn what creating it needs.
      const checkout = {
        id: randomUUID(),
        expiresAt: new Date(Date.now() + request.expiresInMinutes * 60_000),
        leaseUntil: this.leaseUntil(),
      };
      const claimed = await this.checkouts.claimIfFree(key, checkout, request.allowExistingSubscription);
      if (claimed) {
        const ready = { ...checkout, trialDays: null, idempotencyKey: `checkout-${checkout.id}` };
        return this.createClaimed(ready, claimed, request);
      }

      // Not claimed: no such account, a subscription in the way, or the same checkout exists.
      const context = await this.checkouts.loadContext(key);
      if (!context) throw new NotFoundError('Account not found');
      if (context.hasBlockingSubscription && !request.allowExistingSubscription)
        throw new AlreadySubscribedError();
      const active = context.active;
      if (active?.status === 'open') {
        if (active.expiresAt.getTime() > Date.now())
          return { id: active.providerSessionId!, url: active.url! };
        await this.retire(active.id);
      } else if (active?.status === 'pending') {
        const taken = await this.takeOverIfAbandoned(active);
        // The trial, if any, was settled when the checkout was first claimed.
        if (taken) return this.createClaimed(taken, { ...context, trialClaimed: true }, request);
        await this.waitWhilePending(key, deadline);
      }
      // Otherwise what stood in the way has just gone: try again.
    }
    throw new CheckoutInProgressError();
  }

  /**
   * A claimed checkout: the customer (first time only), the trial (once ever), then the provider.
   * Whatever fails on the way, the claim (and the trial it took) is given back.
   */
  private async createClaimed(
    checkout: { id: string; expiresAt: Date; trialDays: number | null; idempotencyKey: string },
    claimed: { providerCustomerId: string | null; trialClaimed: boolean },
    request: CheckoutRequest,
  ): Promise<HostedSession> {
    let customerId = claimed.providerCustomerId;
    let trialDays = checkout.trialDays;
    try {
      if (!customerId) {
        const account = await this.accounts.findById(request.accountId);
        if (!account) throw new NotFoundError('Account not found');
        customerId = await this.customers.ensureCustomer(account, request.mode);
      }
      const offersTrial = request.checkoutMode === 'subscription' && this.config.trialDays > 0;
      if (
        offersTrial &&
        !claimed.trialClaimed &&
        (await this.accounts.claimTrial(request.accountId, checkout.id))
      ) {
        trialDays = this.config.trialDays;
        await this.checkouts.setTrialDays(checkout.id, trialDays);
      }
    } catch (error) {
      await this.checkouts.release(checkout.id).catch(() => undefined);
      if (trialDays) await this.accounts.releaseTrial(checkout.id).catch(() => undefined);
      throw error;
    }
    return this.createAtProvider({ ...checkout, trialDays }, request, customerId);
  }

  /** How long a claim may take: possibly two provider calls (the customer, then the session). */
  private leaseUntil(): Date {
    return new Date(Date.now() + 2 * this.budget.leaseMs());
  }

  private async createAtProvider(
    checkout: { id: string; trialDays: number | null; expiresAt: Date; idempotencyKey: string },
    request: CheckoutRequest,
    customerId: string,
  ): Promise<HostedSession> {
    try {
      const session = await this.provider.createCheckoutSession({
        mode: request.mode,
        accountId: request.accountId,
        customerId,
        checkoutMode: request.checkoutMode,
        priceId: request.priceId,
        quantity: request.quantity,
        successUrl: request.successUrl,
        cancelUrl: request.cancelUrl,
        trialDays: checkout.trialDays,
        metadata: mergeMetadata(request.metadata, { accountId: request.accountId }),
        expiresAt: checkout.expiresAt,
        idempotencyKey: checkout.idempotencyKey,
      });
      await this.checkouts.markOpen(checkout.id, session);
      return { id: session.id, url: session.url };
    } catch (error) {
      await this.checkouts.release(checkout.id).catch(() => undefined);
      if (checkout.trialDays) await this.accounts.releaseTrial(checkout.id).catch(() => undefined);
      throw error;
    }
  }

  /** A pending checkout whose request died: take it over, once, with a fresh idempotency key. */
  private async takeOverIfAbandoned(active: ActiveCheckout) {
    if (!active.leaseUntil || active.leaseUntil.getTime() >= Date.now()) return null;
    const leaseUntil = this.leaseUntil();
    if (!(await this.checkouts.takeOver(active.id, active.leaseUntil, leaseUntil))) return null;
    return {
      id: active.id,
      trialDays: active.trialDays,
      expiresAt: active.expiresAt,
      idempotencyKey: `checkout-${active.id}-${leaseUntil.getTime()}`,
    };
  }

  private async waitWhilePending(key: CheckoutKey, deadline: number): Promise<void> {
    await pollUntil(
      async () => {
        const current = await this.checkouts.findActive(key);
        if (
          current?.status === 'pending' &&
          current.leaseUntil &&
          current.leaseUntil.getTime() >= Date.now()
        ) {
          return undefined;
        }
        return true;
      },
      Math.max(0, deadline - Date.now()),
    );
  }

  private async retire(checkoutId: string): Promise<void> {
    if (await this.checkouts.expireIfPast(checkoutId, new Date()))
      await this.accounts.releaseTrial(checkoutId);
  }
}
