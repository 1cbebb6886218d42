import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccountsRepository } from '../accounts/accounts.repository';
import { Caller } from '../auth/principal';
import { AppConfig, ProviderMode } from '../config/app-config';
import { underLease } from '../common/concurrency/lease';
import {
  AccountNotFoundError,
  AlreadySubscribedError,
  AlreadySubscribedRemedy,
  CheckoutInProgressError,
  NotFoundError,
} from '../common/errors/domain-errors';
import { fingerprintHash } from '../common/idempotency/idempotency.service';
import { RedirectUrlPolicy } from '../common/redirect/redirect-url.policy';
import { mergeMetadata } from '../common/validation/metadata';
import { CustomersService } from '../customers/customers.service';
import { Database, Transaction } from '../database/database';
import { CheckoutMode, HostedSession, PaymentProvider, ProviderPrice } from '../payments/payment-provider';
import { ProviderCallBudget } from '../payments/provider-call-budget';
import { CheckoutDetailData } from '../changes/dto/change-checkout.dto';
import { CheckoutSessionData, CreateCheckoutRequest } from './dto/create-checkout.dto';
import { newCheckoutEstimates } from '../changes/change-terms';
import { toEstimatesDto } from '../changes/dto/estimates.dto';
import { PriceCatalog } from './price-catalog';
import { TrialsRepository } from './trials.repository';
import { Outbox } from '../events/outbox';
import {
  ActiveCheckout,
  CheckoutSessionsRepository,
  CheckoutSlot,
  CheckoutTerms,
  FinishedCheckout,
} from './checkout-sessions.repository';

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
  /** What a 409 tells an account that already has a subscription to do, in the endpoint's terms. */
  alreadySubscribedRemedy: AlreadySubscribedRemedy;
}

export const DEFAULT_CHECKOUT_EXPIRY_MINUTES = 24 * 60;

/** A checkout started (or given back): the hosted session, until when it is open, its trial. */
export interface StartedCheckout extends HostedSession {
  expiresAt: Date;
  trialDays: number | null;
  /** When the checkout was first made: its estimates are dated from then, so a replay shows the same. */
  createdAt: Date;
  /** The price as the provider described it, when the request had it checked. */
  price?: ProviderPrice;
}

/** A checkout this request holds and is about to create at the provider. */
interface ClaimedCheckout extends CheckoutTerms {
  id: string;
  createdAt: Date;
  idempotencyKey: string;
  /** The trial is known to be settled already (taken by another checkout or used up). */
  trialSettled: boolean;
}

/**
 * Starts hosted checkouts for both checkout endpoints, with these guarantees (docs/guarantees.md):
 * one provider customer per account (1), no accidental second subscription and at most one open
 * subscription checkout per account and mode (2), one trial per account ever (3), the service's
 * metadata keys win (4), and no half-written state when the provider fails (9).
 *
 * A request identical to the open checkout (everything that reaches the provider) gets it back;
 * a subscription checkout that differs first expires the open one at the provider, so that two
 * checkouts can never both be completed into two subscriptions.
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly checkouts: CheckoutSessionsRepository,
    private readonly accounts: AccountsRepository,
    private readonly trials: TrialsRepository,
    private readonly customers: CustomersService,
    private readonly provider: PaymentProvider,
    private readonly budget: ProviderCallBudget,
    private readonly redirects: RedirectUrlPolicy,
    private readonly prices: PriceCatalog,
    private readonly outbox: Outbox,
    private readonly config: AppConfig,
    private readonly db: Database,
  ) {}

  /**
   * The sessions endpoint: a subscription checkout for SUBSCRIPTION_PRICE_ID, with the TRIAL_DAYS
   * trial. It takes no allowExistingSubscription (an unknown field there): an account that already
   * has a subscription is pointed to the portal instead.
   */
  async startSubscriptionSession(caller: Caller, successUrl: string): Promise<HostedSession> {
    const { id, url } = await this.start({
      accountId: caller.accountId,
      mode: 'live',
      checkoutMode: 'subscription',
      priceId: this.config.subscriptionPriceId,
      quantity: 1,
      successUrl,
      allowExistingSubscription: false,
      expiresInMinutes: DEFAULT_CHECKOUT_EXPIRY_MINUTES,
      verifyPrice: false,
      alreadySubscribedRemedy: 'portal',
    });
    return { id, url };
  }

  /** The billing checkout endpoint: a checkout for any price the operator offers. */
  async startBillingCheckout(
    caller: Caller,
    body: CreateCheckoutRequest,
    mode: ProviderMode,
  ): Promise<CheckoutSessionData> {
    const checkoutMode = body.mode ?? 'subscription';
    const session = await this.start({
      accountId: caller.accountId,
      mode,
      checkoutMode,
      priceId: body.priceId,
      quantity: body.quantity ?? 1,
      successUrl: body.successUrl,
      cancelUrl: body.cancelUrl,
      metadata: body.metadata,
      allowExistingSubscription: body.allowExistingSubscription ?? false,
      expiresInMinutes: body.expiresInMinutes ?? DEFAULT_CHECKOUT_EXPIRY_MINUTES,
      verifyPrice: true,
      alreadySubscribedRemedy: 'allowExistingSubscription',
    });
    const price = session.price;
    const estimates =
      price && price.unitAmount !== null
        ? newCheckoutEstimates(price, body.quantity ?? 1, {
            trialDays: session.trialDays,
            recurring: checkoutMode === 'subscription',
            now: session.createdAt,
          })
        : null;
    return {
      sessionId: session.id,
      url: session.url,
      type: checkoutMode === 'subscription' ? 'new_subscription' : 'payment',
      expiresAt: session.expiresAt.toISOString(),
      estimates: estimates && toEstimatesDto(estimates),
    };
  }

  /** A new-subscription or payment checkout of the caller's, as GET /api/billing/checkout/{id} reads it. */
  async describe(caller: Caller, sessionId: string): Promise<CheckoutDetailData | undefined> {
    const checkout = await this.checkouts.findOwned(caller.accountId, this.provider.name, sessionId);
    if (!checkout || checkout.status === 'pending') return undefined;
    const recurring = checkout.checkoutMode === 'subscription';
    const price = await this.prices.find(checkout.mode as ProviderMode, checkout.priceId);
    const estimates =
      price && price.unitAmount !== null
        ? newCheckoutEstimates(price, checkout.quantity, {
            trialDays: checkout.trialDays,
            recurring,
            now: checkout.createdAt,
          })
        : null;
    const expired = checkout.status === 'open' && checkout.expiresAt.getTime() <= Date.now();
    return {
      sessionId,
      url: checkout.url ?? '',
      type: recurring ? 'new_subscription' : 'payment',
      status: expired ? 'expired' : checkout.status,
      expiresAt: checkout.expiresAt.toISOString(),
      estimates: estimates && toEstimatesDto(estimates),
    };
  }

  async start(request: CheckoutRequest): Promise<StartedCheckout> {
    this.redirects.assertAllowed('successUrl', request.successUrl);
    if (request.cancelUrl !== undefined) this.redirects.assertAllowed('cancelUrl', request.cancelUrl);
    if (!this.provider.supportsMode(request.mode)) throw new NotFoundError('Test mode is not configured');
    const price = request.verifyPrice
      ? await this.prices.assertPurchasable(request.mode, request.priceId, request.checkoutMode)
      : undefined;

    const slot: CheckoutSlot = {
      accountId: request.accountId,
      provider: this.provider.name,
      mode: request.mode,
      checkoutMode: request.checkoutMode,
      requestHash: checkoutRequestHash(request),
    };
    const terms = (): CheckoutTerms => ({
      priceId: request.priceId,
      quantity: request.quantity,
      requestHash: slot.requestHash,
      expiresAt: new Date(Date.now() + request.expiresInMinutes * 60_000),
    });
    const started = await underLease<StartedCheckout>({
      // The common case, in one round trip: claim the slot and learn what creating it needs.
      claim: async () => {
        const checkout = { ...terms(), id: randomUUID(), createdAt: new Date() };
        const claimed = await this.checkouts.claimIfFree(
          slot,
          { ...checkout, leaseUntil: this.leaseUntil() },
          { allowExistingSubscription: request.allowExistingSubscription },
        );
        if (!claimed) return undefined;
        const ready = {
          ...checkout,
          idempotencyKey: `checkout-${checkout.id}`,
          trialSettled: claimed.trialClaimed,
        };
        return () => this.createClaimed(ready, claimed.providerCustomerId, request);
      },
      // Not claimed: no such account, a subscription in the way, or the slot is taken.
      inspect: async () => {
        const context = await this.checkouts.loadContext(slot);
        if (!context) throw new AccountNotFoundError();
        if (context.hasBlockingSubscription && !request.allowExistingSubscription)
          throw new AlreadySubscribedError({ remedy: request.alreadySubscribedRemedy });
        const active = context.active;
        if (!active) return { gone: true };
        if (active.status === 'pending') {
          return {
            held: {
              leaseUntil: active.leaseUntil,
              takeOver: () => this.takeOver(active, terms(), context.providerCustomerId, request),
            },
          };
        }
        if (active.expiresAt.getTime() <= Date.now()) {
          return {
            clear: () =>
              this.endCheckout(active.id, request, (tx) =>
                this.checkouts.expire(active.id, { onlyIfPastExpiry: true }, tx),
              ),
          };
        }
        if (active.requestHash === slot.requestHash)
          return {
            done: {
              id: active.providerSessionId!,
              url: active.url!,
              expiresAt: active.expiresAt,
              trialDays: active.trialDays,
              createdAt: active.createdAt,
            },
          };
        return { clear: () => this.supersede(active, request) };
      },
      deadline: this.leaseUntil().getTime(),
      timeout: () => new CheckoutInProgressError(),
    });
    return { ...started, price };
  }

  /**
   * The open checkout of the slot was made for another request: it is expired at the provider
   * before anything else, so that the person cannot complete both. A person who has completed it
   * meanwhile has subscribed.
   */
  private async supersede(active: ActiveCheckout, request: CheckoutRequest): Promise<void> {
    const outcome = await this.provider.expireCheckoutSession(request.mode, active.providerSessionId!);
    if (outcome === 'complete') {
      if (!request.allowExistingSubscription)
        throw new AlreadySubscribedError({ remedy: request.alreadySubscribedRemedy });
      await this.db.transaction(async (tx) => {
        await this.outbox.open(tx, this.scopeOf(request));
        const completed = await this.checkouts.finishByProviderSessionId(
          this.provider.name,
          active.providerSessionId!,
          'complete',
          tx,
        );
        if (completed) await this.outbox.checkoutFinished(tx, completed, completed, 'complete');
      });
      return;
    }
    await this.endCheckout(active.id, request, (tx) =>
      this.checkouts.expire(active.id, { onlyIfPastExpiry: false }, tx),
    );
  }

  /**
   * A claimed checkout: the customer (first time only), the trial (once ever), then the provider.
   * Whatever fails on the way, the claim (and the trial it took) is given back.
   */
  private async createClaimed(
    checkout: ClaimedCheckout,
    providerCustomerId: string | null,
    request: CheckoutRequest,
  ): Promise<StartedCheckout> {
    try {
      const customerId = providerCustomerId ?? (await this.ensureCustomer(request));
      const trialDays = await this.settleTrial(checkout, request);
      const session = await this.provider.createCheckoutSession({
        mode: request.mode,
        accountId: request.accountId,
        customerId,
        checkoutMode: request.checkoutMode,
        priceId: request.priceId,
        quantity: request.quantity,
        successUrl: request.successUrl,
        cancelUrl: request.cancelUrl,
        trialDays,
        metadata: mergeMetadata(request.metadata, { accountId: request.accountId }),
        expiresAt: checkout.expiresAt,
        idempotencyKey: checkout.idempotencyKey,
      });
      await this.checkouts.markOpen(checkout.id, session);
      return {
        id: session.id,
        url: session.url,
        expiresAt: session.expiresAt,
        trialDays,
        createdAt: checkout.createdAt,
      };
    } catch (error) {
      await this.endCheckout(checkout.id, request, async (tx) => {
        await this.checkouts.release(checkout.id, tx);
        return 'released' as const;
      }).catch(() => undefined);
      throw error;
    }
  }

  private async ensureCustomer(request: CheckoutRequest): Promise<string> {
    const account = await this.accounts.findById(request.accountId);
    if (!account) throw new AccountNotFoundError();
    return this.customers.ensureCustomer(account, request.mode);
  }

  /**
   * The trial days the checkout carries. The account's one trial is taken for it unless it is
   * known to be gone; a checkout taken over from a request that died settles it again, since
   * that request may have died before it got that far.
   */
  private async settleTrial(checkout: ClaimedCheckout, request: CheckoutRequest): Promise<number | null> {
    const offersTrial = request.checkoutMode === 'subscription' && this.config.trialDays > 0;
    if (!offersTrial || checkout.trialSettled) return null;
    if (!(await this.trials.claim(request.accountId, checkout.id))) return null;
    await this.checkouts.setTrialDays(checkout.id, this.config.trialDays);
    return this.config.trialDays;
  }

  /**
   * Ends a checkout and gives its trial back, in one transaction: a pending one `released` (it
   * never reached anyone), or an open one expired (with its outbound event); nothing when `end`
   * found it ended already.
   */
  private async endCheckout(
    checkoutId: string,
    request: Pick<CheckoutRequest, 'accountId' | 'mode'>,
    end: (tx: Transaction) => Promise<FinishedCheckout | 'released' | undefined>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.outbox.open(tx, this.scopeOf(request));
      const ended = await end(tx);
      if (!ended) return;
      await this.trials.release(checkoutId, tx);
      if (ended !== 'released') await this.outbox.checkoutFinished(tx, ended, ended, 'expired');
    });
  }

  private scopeOf(request: Pick<CheckoutRequest, 'accountId' | 'mode'>) {
    return { accountId: request.accountId, mode: request.mode, provider: this.provider.name };
  }

  /** How long a claim may take: possibly two provider calls (the customer, then the session). */
  private leaseUntil(): Date {
    return new Date(Date.now() + 2 * this.budget.leaseMs());
  }

  /**
   * A pending checkout whose request died (its lease ran out): take it over, once, with this
   * request's terms and a fresh idempotency key.
   */
  private async takeOver(
    active: ActiveCheckout,
    terms: CheckoutTerms,
    providerCustomerId: string | null,
    request: CheckoutRequest,
  ): Promise<(() => Promise<StartedCheckout>) | undefined> {
    const leaseUntil = this.leaseUntil();
    if (!(await this.checkouts.takeOver(active.id, active.leaseUntil!, { ...terms, leaseUntil })))
      return undefined;
    const checkout: ClaimedCheckout = {
      ...terms,
      id: active.id,
      createdAt: active.createdAt,
      idempotencyKey: `checkout-${active.id}-${leaseUntil.getTime()}`,
      trialSettled: false,
    };
    return () => this.createClaimed(checkout, providerCustomerId, request);
  }
}

/**
 * Everything of a checkout request that reaches the provider, as a hash: two requests with the
 * same hash would create the same checkout, so the open one can be given back.
 */
export function checkoutRequestHash(request: CheckoutRequest): string {
  return fingerprintHash({
    checkoutMode: request.checkoutMode,
    priceId: request.priceId,
    quantity: request.quantity,
    successUrl: request.successUrl,
    cancelUrl: request.cancelUrl ?? null,
    metadata: mergeMetadata(request.metadata, { accountId: request.accountId }),
    expiresInMinutes: request.expiresInMinutes,
  });
}
