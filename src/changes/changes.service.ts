import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { Caller } from '../auth/principal';
import { ProviderMode } from '../config/app-config';
import {
  BadRequestError,
  ChangeInProgressError,
  ChangePaymentFailedError,
  ChangeStaleError,
  CheckoutNotOpenError,
  DomainError,
  NotFoundError,
  SubscriptionNotChangeableError,
} from '../common/errors/domain-errors';
import { RedirectUrlPolicy } from '../common/redirect/redirect-url.policy';
import { fillSessionId } from '../common/validation/redirect-url';
import { Database } from '../database/database';
import { PriceCatalog } from '../checkout/price-catalog';
import { HostedChanges, HostedChangeView } from '../payments/hosted-changes';
import {
  FetchedSubscription,
  PaymentProvider,
  ProviderPrice,
  ProviderSubscription,
  SubscriptionChangeTerms,
} from '../payments/payment-provider';
import { toChangeData } from './dto/change-checkout.dto';
import { ProviderCallBudget } from '../payments/provider-call-budget';
import { ProviderStateService } from '../subscriptions/provider-state.service';
import { ChangeStatus, ChangeType } from '../subscriptions/subscription-change.entity';
import {
  ChangeRecord,
  SubscriptionChangesRepository,
} from '../subscriptions/subscription-changes.repository';
import { OwnedSubscription, SubscriptionsRepository } from '../subscriptions/subscriptions.repository';
import { SubscriptionView } from '../subscriptions/dto/my-subscription.dto';
import { toSubscriptionView } from '../subscriptions/subscription-view';
import {
  basisOf,
  ChangeBasis,
  changedFields,
  describeFields,
  defaultTiming,
  Estimates,
  nextRenewal,
  nothingNow,
  renewalInvoice,
  Timing,
} from './change-terms';

/** What a caller asks a change checkout for (POST /api/billing/checkout with `subscriptionId`). */
export interface ChangeRequest {
  subscriptionId: string;
  priceId?: string;
  quantity?: number;
  timing?: Timing;
  /** End a running trial with the change; by default a trial is kept. */
  endTrial?: boolean;
  successUrl: string;
  cancelUrl?: string;
  expiresInMinutes: number;
}

/** A change checkout as callers read it. */
export interface ChangeCheckout {
  sessionId: string;
  url: string;
  type: ChangeType;
  status: ChangeStatus;
  subscriptionId: string;
  from: { priceId: string; quantity: number };
  to: { priceId: string; quantity: number };
  timing: Timing;
  effectiveAt: Date;
  expiresAt: Date;
  estimates: Estimates;
  trial: HostedChangeView['trial'];
}

export interface ConfirmedChange {
  checkout: ChangeCheckout;
  subscription: SubscriptionView | null;
}

/** Statuses no change starts from: the provider would not bill it, or it is over. */
const UNCHANGEABLE: Record<string, string> = {
  past_due: 'its latest payment failed; it can be changed once it is paid',
  unpaid: 'it is unpaid',
  incomplete: 'its first payment is not complete',
  incomplete_expired: 'it never started',
  canceled: 'it has ended',
  paused: 'it is paused',
};

interface StoredEstimates {
  currentInvoice: Estimates['currentInvoice'];
  nextInvoice: Estimates['nextInvoice'];
  trial: HostedChangeView['trial'];
}

/**
 * Plan changes and quantity updates (docs/guarantees.md#g11): a change checkout is a preview of
 * the new terms that changes nothing; confirming it applies those terms at most once, on the
 * preview's proration date, items and trial handling, or answers 409 with a fresh preview when the
 * subscription changed meanwhile. One change of a subscription is confirmed at a time (a partial
 * unique index), and each reaches the provider with an idempotency key derived from the change.
 */
@Injectable()
export class ChangesService extends HostedChanges {
  constructor(
    private readonly changes: SubscriptionChangesRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly state: ProviderStateService,
    private readonly provider: PaymentProvider,
    private readonly prices: PriceCatalog,
    private readonly redirects: RedirectUrlPolicy,
    private readonly budget: ProviderCallBudget,
    private readonly db: Database,
  ) {
    super();
  }

  /** Previews a change of one of the caller's subscriptions, as a checkout to confirm. */
  async preview(caller: Caller, request: ChangeRequest, mode: ProviderMode): Promise<ChangeCheckout> {
    this.redirects.assertAllowed('successUrl', request.successUrl);
    if (request.cancelUrl !== undefined) this.redirects.assertAllowed('cancelUrl', request.cancelUrl);
    if (!this.provider.supportsMode(mode)) throw new NotFoundError('Test mode is not configured');
    const owned = await this.owned(caller.accountId, mode, request.subscriptionId);
    const fetched = await this.provider.retrieveSubscription(mode, request.subscriptionId);
    if (!fetched) throw subscriptionNotFound();
    return this.previewFrom(caller.accountId, owned, fetched.subscription, request, mode);
  }

  /** Reads a change checkout of the caller's; undefined when it is not a change checkout of theirs. */
  async find(caller: Caller, sessionId: string): Promise<ChangeCheckout | undefined> {
    const change = await this.changes.findBySession(sessionId);
    if (!change || change.accountId !== caller.accountId) return undefined;
    return toCheckout(await this.expireIfDue(change));
  }

  /** Confirms a change checkout of the caller's by API. */
  async confirmFor(caller: Caller, sessionId: string): Promise<ConfirmedChange> {
    const change = await this.changes.findBySession(sessionId);
    if (!change || change.accountId !== caller.accountId) throw checkoutNotFound();
    return this.apply(change);
  }

  // -- the provider's hosted confirmation page (the sandbox's) --

  async view(sessionId: string): Promise<HostedChangeView | null> {
    const change = await this.changes.findBySession(sessionId);
    if (!change) return null;
    return toCheckout(await this.expireIfDue(change));
  }

  async confirm(sessionId: string): Promise<{ redirectUrl: string }> {
    const change = await this.changes.findBySession(sessionId);
    if (!change) throw checkoutNotFound();
    // A second click after the first applied it lands where the first did.
    if (change.status !== 'applied' && change.status !== 'scheduled') await this.apply(change);
    return { redirectUrl: fillSessionId(change.successUrl, change.sessionId) };
  }

  async cancel(sessionId: string): Promise<{ redirectUrl: string }> {
    const change = await this.changes.findBySession(sessionId);
    if (!change) throw checkoutNotFound();
    if (change.status === 'open') await this.changes.transition(change.id, 'open', 'canceled');
    return { redirectUrl: change.cancelUrl ?? fillSessionId(change.successUrl, change.sessionId) };
  }

  // -- previewing --

  private async owned(accountId: string, mode: ProviderMode, subscriptionId: string) {
    const owned = await this.subscriptions.findOwned(accountId, this.provider.name, mode, subscriptionId);
    if (!owned || !owned.providerCustomerId) throw subscriptionNotFound();
    return owned as OwnedSubscription & { providerCustomerId: string };
  }

  private async previewFrom(
    accountId: string,
    owned: OwnedSubscription & { providerCustomerId: string },
    subscription: ProviderSubscription,
    request: ChangeRequest,
    mode: ProviderMode,
  ): Promise<ChangeCheckout> {
    await this.assertChangeable(subscription);
    const fromPriceId = subscription.priceId!;
    const fromQuantity = subscription.quantity;
    const toPriceId = request.priceId ?? fromPriceId;
    const toQuantity = request.quantity ?? fromQuantity;
    if (toPriceId === fromPriceId && toQuantity === fromQuantity)
      throw new BadRequestError('The subscription already has this price and quantity');
    const fromPrice = await this.prices.find(mode, fromPriceId);
    if (!fromPrice)
      throw new SubscriptionNotChangeableError('unknown_price', 'The subscription’s price is unknown');
    const toPrice =
      toPriceId === fromPriceId
        ? fromPrice
        : await this.prices.assertChangeable(mode, toPriceId, fromPrice.currency);

    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const timing =
      request.timing ??
      defaultTiming({ price: fromPrice, quantity: fromQuantity }, { price: toPrice, quantity: toQuantity });
    const inTrial =
      subscription.status === 'trialing' && subscription.trialEnd !== null && subscription.trialEnd > now;
    const endsTrial = inTrial && request.endTrial === true && timing === 'immediate';
    const trial: HostedChangeView['trial'] = !inTrial
      ? { effect: 'none', endsAt: null }
      : endsTrial
        ? { effect: 'ended', endsAt: now }
        : { effect: 'kept', endsAt: subscription.trialEnd };
    const terms: SubscriptionChangeTerms = {
      mode,
      customerId: owned.providerCustomerId,
      subscriptionId: subscription.id,
      itemId: subscription.itemId!,
      priceId: toPriceId,
      quantity: toQuantity,
      prorationDate: now,
      trialEnd: inTrial ? (endsTrial ? 'now' : subscription.trialEnd) : null,
    };
    const estimates = await this.estimate(subscription, terms, {
      fromPrice,
      toPrice,
      timing,
      endsTrial,
      now,
    });
    const effectiveAt = timing === 'immediate' ? now : (subscription.currentPeriodEnd ?? now);

    const id = randomUUID();
    const sessionId = `chg_${randomBytes(12).toString('hex')}`;
    const expiresAt = new Date(now.getTime() + request.expiresInMinutes * 60_000);
    const stored: StoredEstimates = { ...estimates, trial };
    await this.changes.insert({
      id,
      sessionId,
      accountId,
      provider: this.provider.name,
      mode,
      providerSubscriptionId: subscription.id,
      type: request.priceId !== undefined ? 'plan_change' : 'quantity_update',
      timing,
      fromPriceId,
      fromQuantity,
      toPriceId,
      toQuantity,
      prorationDate: now,
      endTrial: endsTrial,
      basis: JSON.stringify(basisOf(subscription)),
      estimates: JSON.stringify(stored),
      effectiveAt,
      url: null,
      successUrl: request.successUrl,
      cancelUrl: request.cancelUrl ?? null,
      expiresAt,
      createdAt: now,
    });
    try {
      const page = await this.provider.createChangeConfirmPage({
        mode,
        changeId: sessionId,
        customerId: owned.providerCustomerId,
        subscriptionId: subscription.id,
        itemId: subscription.itemId!,
        priceId: toPriceId,
        quantity: toQuantity,
        returnUrl: fillSessionId(request.successUrl, sessionId),
        idempotencyKey: `change-page-${id}`,
      });
      await this.changes.setUrl(id, page.url);
      const change = await this.changes.findBySession(sessionId);
      return toCheckout(change!);
    } catch (error) {
      await this.changes.remove(id).catch(() => undefined);
      throw error;
    }
  }

  /** Refuses the states no change can start from, each with its reason (409). */
  private async assertChangeable(subscription: ProviderSubscription): Promise<void> {
    const reason = UNCHANGEABLE[subscription.status];
    if (reason)
      throw new SubscriptionNotChangeableError(
        subscription.status,
        `The subscription cannot be changed: ${reason}`,
      );
    if (subscription.itemCount !== 1 || !subscription.itemId || !subscription.priceId)
      throw new SubscriptionNotChangeableError(
        'multiple_items',
        'The subscription cannot be changed here: it has more than one item',
      );
    if (subscription.cancelAtPeriodEnd || subscription.cancelAt)
      throw new SubscriptionNotChangeableError(
        'cancellation_pending',
        'The subscription is set to end; resume it first (POST /api/subscriptions/resume)',
      );
    if (subscription.pendingUpdateExpiresAt)
      throw new SubscriptionNotChangeableError(
        'payment_pending',
        'A change of the subscription waits for its payment; pay or let it lapse first',
      );
    if (subscription.scheduleId) {
      const own = await this.changes.findBySchedule(this.provider.name, subscription.scheduleId);
      if (!own)
        throw new SubscriptionNotChangeableError(
          'foreign_schedule',
          'The subscription is controlled by a schedule this service did not create',
        );
      if (own.status === 'scheduled')
        throw new SubscriptionNotChangeableError(
          'pending_change',
          'A change is already scheduled; withdraw it first (DELETE /api/subscriptions/pending-change)',
        );
    }
  }

  private async estimate(
    subscription: ProviderSubscription,
    terms: SubscriptionChangeTerms,
    options: {
      fromPrice: ProviderPrice;
      toPrice: ProviderPrice;
      timing: Timing;
      endsTrial: boolean;
      now: Date;
    },
  ): Promise<Estimates> {
    const { fromPrice, toPrice, timing, endsTrial, now } = options;
    const currentInvoice =
      timing === 'period_end' ? nothingNow(toPrice.currency, now) : await this.provider.previewChange(terms);
    const renewal = nextRenewal(subscription, fromPrice, toPrice, {
      timing,
      endsTrial,
      at: now,
      current: currentInvoice,
    });
    return { currentInvoice, nextInvoice: renewal ? renewalInvoice(toPrice, terms.quantity, renewal) : null };
  }

  // -- confirming --

  private async apply(change: ChangeRecord): Promise<ConfirmedChange> {
    const current = await this.expireIfDue(change);
    if (current.status !== 'open' && current.status !== 'applying')
      throw new CheckoutNotOpenError(current.status);
    // Long enough for the longest path's provider calls: a scheduled change makes four (read,
    // create, set phases, read), and one more for the compensation if the phases fail.
    const claim = await this.changes.claim(
      change.sessionId,
      new Date(Date.now() + 5 * this.budget.leaseMs()),
    );
    if (!claim.claimed) {
      if (claim.inProgress) throw new ChangeInProgressError();
      throw new CheckoutNotOpenError(claim.change?.status ?? 'gone');
    }
    const claimed = claim.change;
    const mode = claimed.mode as ProviderMode;
    try {
      const fetched = await this.provider.retrieveSubscription(mode, claimed.providerSubscriptionId);
      if (!fetched) throw subscriptionNotFound();
      const now = fetched.subscription;
      // An earlier attempt (a request that died, or a provider answer that never arrived) applied
      // it: the subscription has the new terms, and nothing is sent again.
      if (claimed.timing === 'immediate' && hasTerms(now, claimed))
        return await this.finish(claimed, 'applied', fetched);
      const changed = changedFields(JSON.parse(claimed.basis) as ChangeBasis, basisOf(now));
      // Such an attempt at a scheduled change left its schedule: asking again with the same
      // idempotency keys answers that schedule.
      const ownSchedulePending =
        claimed.timing === 'period_end' && changed.length === 1 && changed[0] === 'scheduleId';
      if (changed.length > 0 && !ownSchedulePending)
        return await this.refuseStale(claimed, fetched, describeFields(changed));
      if (claimed.timing === 'immediate') return await this.applyNow(claimed);
      return await this.schedule(claimed);
    } catch (error) {
      // Not applied: the change can be confirmed again (with the same idempotency key).
      await this.changes
        .transition(claimed.id, 'applying', 'open', { lease: claimed.leaseUntil })
        .catch(() => undefined);
      throw error;
    }
  }

  private async applyNow(change: ChangeRecord): Promise<ConfirmedChange> {
    const owned = await this.owned(
      change.accountId,
      change.mode as ProviderMode,
      change.providerSubscriptionId,
    );
    const basis = JSON.parse(change.basis) as ChangeBasis;
    const applied = await this.provider.applyChange({
      mode: change.mode as ProviderMode,
      customerId: owned.providerCustomerId,
      subscriptionId: change.providerSubscriptionId,
      itemId: basis.itemId!,
      priceId: change.toPriceId,
      quantity: change.toQuantity,
      prorationDate: change.prorationDate,
      trialEnd: trialEndOf(change),
      idempotencyKey: `change-${change.id}`,
    });
    if (applied.outcome === 'payment_failed') {
      await this.db.transaction(async (tx) => {
        await this.state.open(tx, change);
        await this.changes.transition(
          change.id,
          'applying',
          'payment_failed',
          { invoiceUrl: applied.invoiceUrl, lease: change.leaseUntil },
          tx,
        );
        await this.state.storeFetched(applied.subscription, change.mode as ProviderMode, tx);
      });
      throw new ChangePaymentFailedError(applied.invoiceUrl);
    }
    return this.finish(change, 'applied', applied.subscription);
  }

  private async schedule(change: ChangeRecord): Promise<ConfirmedChange> {
    const mode = change.mode as ProviderMode;
    const scheduled = await this.provider.scheduleChange({
      mode,
      subscriptionId: change.providerSubscriptionId,
      currentPriceId: change.fromPriceId,
      currentQuantity: change.fromQuantity,
      priceId: change.toPriceId,
      quantity: change.toQuantity,
      effectiveAt: change.effectiveAt,
      changeId: change.sessionId,
      idempotencyKey: `change-${change.id}`,
    });
    return this.finish(change, 'scheduled', scheduled.subscription, scheduled.scheduleId);
  }

  /** Records the outcome and the provider's answer in one transaction, and answers the new view. */
  private async finish(
    change: ChangeRecord,
    status: Extract<ChangeStatus, 'applied' | 'scheduled'>,
    fetched: FetchedSubscription,
    scheduleId?: string,
  ): Promise<ConfirmedChange> {
    const moved = await this.db.transaction(async (tx) => {
      await this.state.open(tx, change);
      const held = await this.changes.transition(
        change.id,
        'applying',
        status,
        { scheduleId: scheduleId ?? null, lease: change.leaseUntil },
        tx,
      );
      await this.state.storeFetched(fetched, change.mode as ProviderMode, tx);
      if (held) await this.state.changesMoved([change], status, tx);
      return held;
    });
    // The lease ran out and another request took the change over: it records the outcome.
    if (!moved) throw new ChangeInProgressError();
    const done = (await this.changes.findBySession(change.sessionId))!;
    const record = await this.subscriptions.findCurrent(change.accountId, this.provider.name, change.mode);
    return { checkout: toCheckout(done), subscription: record ? toSubscriptionView(record) : null };
  }

  /** The subscription changed since the preview: this one is spent, and a fresh one is offered. */
  private async refuseStale(
    change: ChangeRecord,
    fetched: FetchedSubscription,
    reason: string,
  ): Promise<never> {
    const mode = change.mode as ProviderMode;
    await this.db.transaction(async (tx) => {
      await this.state.open(tx, change);
      await this.changes.transition(change.id, 'applying', 'stale', { lease: change.leaseUntil }, tx);
      await this.state.storeFetched(fetched, mode, tx);
    });
    let fresh: ChangeCheckout | undefined;
    try {
      const owned = await this.owned(change.accountId, mode, change.providerSubscriptionId);
      fresh = await this.previewFrom(change.accountId, owned, fetched.subscription, requestOf(change), mode);
    } catch (error) {
      // No fresh preview can be made from the new state (it is no longer changeable, say): say why.
      if (!(error instanceof DomainError)) throw error;
      throw new ChangeStaleError(`${reason}; ${error.message}`);
    }
    throw new ChangeStaleError(reason, { ...toChangeData(fresh) });
  }

  private async expireIfDue(change: ChangeRecord): Promise<ChangeRecord> {
    if (change.status !== 'open' || change.expiresAt.getTime() > Date.now()) return change;
    await this.changes.transition(change.id, 'open', 'expired');
    return (await this.changes.findBySession(change.sessionId))!;
  }
}

/** The trial end the preview priced, sent again when the change is applied. */
function trialEndOf(change: ChangeRecord): Date | 'now' | null {
  const { trial } = JSON.parse(change.estimates) as StoredEstimates;
  if (trial.effect === 'ended') return 'now';
  return trial.effect === 'kept' && trial.endsAt ? new Date(trial.endsAt) : null;
}

function hasTerms(subscription: ProviderSubscription, change: ChangeRecord): boolean {
  return subscription.priceId === change.toPriceId && subscription.quantity === change.toQuantity;
}

function requestOf(change: ChangeRecord): ChangeRequest {
  return {
    subscriptionId: change.providerSubscriptionId,
    priceId: change.type === 'plan_change' ? change.toPriceId : undefined,
    quantity: change.toQuantity,
    timing: change.timing,
    endTrial: change.endTrial,
    successUrl: change.successUrl,
    cancelUrl: change.cancelUrl ?? undefined,
    expiresInMinutes: Math.max(
      30,
      Math.round((change.expiresAt.getTime() - change.createdAt.getTime()) / 60_000),
    ),
  };
}

export function toCheckout(change: ChangeRecord): ChangeCheckout {
  const stored = JSON.parse(change.estimates) as StoredEstimates;
  return {
    sessionId: change.sessionId,
    url: change.url ?? '',
    type: change.type,
    status: change.status,
    subscriptionId: change.providerSubscriptionId,
    from: { priceId: change.fromPriceId, quantity: change.fromQuantity },
    to: { priceId: change.toPriceId, quantity: change.toQuantity },
    timing: change.timing,
    effectiveAt: change.effectiveAt,
    expiresAt: change.expiresAt,
    estimates: { currentInvoice: stored.currentInvoice, nextInvoice: stored.nextInvoice },
    trial: {
      effect: stored.trial.effect,
      endsAt: stored.trial.endsAt ? new Date(stored.trial.endsAt) : null,
    },
  };
}

const subscriptionNotFound = () => new NotFoundError('Subscription not found');
const checkoutNotFound = () => new NotFoundError('Checkout session not found');
