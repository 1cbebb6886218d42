import { Injectable, Logger } from '@nestjs/common';
import { CheckoutSessionsRepository } from '../checkout/checkout-sessions.repository';
import { TrialsRepository } from '../checkout/trials.repository';
import { CustomerOwnership, CustomersService } from '../customers/customers.service';
import { Transaction } from '../database/database';
import {
  FetchedSubscription,
  PaymentEvent,
  PaymentProvider,
  ProviderSubscription,
} from '../payments/payment-provider';
import { ProviderMode } from '../config/app-config';
import { SubscriptionChangesRepository } from './subscription-changes.repository';
import { SubscriptionsRepository } from './subscriptions.repository';

/** Subscription state to store, and the version (provider time) it carries. */
export interface VersionedState {
  state: ProviderSubscription;
  version: Date;
  /** State of the same version replaces the stored one (it was read from the provider just now). */
  replaceSameVersion: boolean;
}

/**
 * The one owner of what the provider reports, applied to the service's records inside the
 * caller's transaction: subscription state (newer over older, by the provider's clock), the
 * checkouts it completes or expires, and the trial it uses up or gives back. The webhooks verify,
 * deduplicate and order events, then hand them here; the sandbox does the same.
 */
@Injectable()
export class ProviderStateService {
  private readonly logger = new Logger(ProviderStateService.name);

  constructor(
    private readonly subscriptions: SubscriptionsRepository,
    private readonly checkouts: CheckoutSessionsRepository,
    private readonly trials: TrialsRepository,
    private readonly customers: CustomersService,
    private readonly changes: SubscriptionChangesRepository,
    private readonly provider: PaymentProvider,
  ) {}

  /** What an event does to the records besides storing subscription state. */
  async applyEffect(event: PaymentEvent, tx: Transaction): Promise<void> {
    if (event.kind === 'checkout.completed') {
      await this.checkouts.finishByProviderSessionId(this.provider.name, event.session.id, 'complete', tx);
    } else if (event.kind === 'checkout.expired') {
      const checkout = await this.checkouts.finishByProviderSessionId(
        this.provider.name,
        event.session.id,
        'expired',
        tx,
      );
      if (checkout) await this.trials.release(checkout.id, tx);
    } else if (event.kind === 'schedule') {
      // A schedule that let go before its change took effect withdrew it; one that completed applied it.
      const { id, status } = event.schedule;
      if (status === 'completed') await this.changes.finishSchedule(this.provider.name, id, 'applied', tx);
      if (status === 'released' || status === 'canceled')
        await this.changes.finishSchedule(this.provider.name, id, 'withdrawn', tx);
    }
  }

  /**
   * Stores subscription state of one of our customers: `stored`, or `older` when newer state is
   * stored already, or `unknown` for a customer that is not ours.
   */
  async store(
    { state, version, replaceSameVersion }: VersionedState,
    event: PaymentEvent,
    tx: Transaction,
  ): Promise<'stored' | 'older' | 'unknown'> {
    const owner = await this.ownerOf(event, state, tx);
    if (!owner) return 'unknown';
    const scope = { ...owner, provider: this.provider.name, mode: event.mode };
    const stored = await this.subscriptions.upsertIfNewer(state, scope, version, { replaceSameVersion }, tx);
    if (!stored) return 'older';
    if (state.trialEnd) await this.trials.consume(owner.accountId, tx);
    await this.settleChanges(state, tx);
    return 'stored';
  }

  /**
   * Stores state the service has just read from the provider (the answer to its own call), dated by
   * the provider's answer: what the service changed is recorded without waiting for the webhook,
   * and the webhook's own copy, when it comes, is no newer.
   */
  async storeFetched(
    fetched: FetchedSubscription,
    mode: ProviderMode,
    tx: Transaction,
  ): Promise<'stored' | 'older' | 'unknown'> {
    const owner = await this.customers.findOwner(mode, fetched.subscription.customerId, tx);
    if (!owner) return 'unknown';
    const scope = { ...owner, provider: this.provider.name, mode };
    const state = fetched.subscription;
    const stored = await this.subscriptions.upsertIfNewer(
      state,
      scope,
      fetched.asOf,
      { replaceSameVersion: true },
      tx,
    );
    if (!stored) return 'older';
    if (state.trialEnd) await this.trials.consume(owner.accountId, tx);
    await this.settleChanges(state, tx);
    return 'stored';
  }

  /** Change checkouts that the reported state shows done elsewhere (a hosted page, a renewal). */
  private async settleChanges(state: ProviderSubscription, tx: Transaction): Promise<void> {
    await this.changes.settleOpen(this.provider.name, state.id, state, tx);
    await this.changes.settleScheduled(this.provider.name, state.id, state, tx);
  }

  /** The version (provider time) of the stored state of a subscription, or null. */
  storedVersion(subscriptionId: string, tx: Transaction): Promise<Date | null> {
    return this.subscriptions.findVersion(this.provider.name, subscriptionId, tx);
  }

  private async ownerOf(
    event: PaymentEvent,
    state: ProviderSubscription,
    tx: Transaction,
  ): Promise<CustomerOwnership | null> {
    const owner = await this.customers.findOwner(event.mode, state.customerId, tx);
    if (!owner) {
      this.logger.warn(
        { eventId: event.id, subscription: state.id },
        'subscription of an unknown customer ignored',
      );
    }
    return owner;
  }
}
