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
import { Outbox, TrackedField } from '../events/outbox';
import { ChangeRecord, SubscriptionChangesRepository } from './subscription-changes.repository';
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
    private readonly outbox: Outbox,
  ) {}

  /**
   * What an event does to the records besides storing subscription state, with its outbound
   * events. The owning account is looked up and opened (locked) before anything is written.
   */
  async applyEffect(event: PaymentEvent, tx: Transaction): Promise<void> {
    const provider = this.provider.name;
    if (event.kind === 'checkout.completed' || event.kind === 'checkout.expired') {
      const owner = await this.checkouts.findOwnerByProviderSessionId(provider, event.session.id, tx);
      if (!owner) return;
      await this.outbox.open(tx, { ...owner, provider });
      const status = event.kind === 'checkout.completed' ? 'complete' : 'expired';
      const checkout = await this.checkouts.finishByProviderSessionId(provider, event.session.id, status, tx);
      if (!checkout) return;
      if (status === 'expired') await this.trials.release(checkout.id, tx);
      await this.outbox.checkoutFinished(tx, checkout, checkout, status);
    } else if (event.kind === 'schedule') {
      // A schedule that let go before its change took effect withdrew it; one that completed applied it.
      const { id, status } = event.schedule;
      const to =
        status === 'completed'
          ? 'applied'
          : status === 'released' || status === 'canceled'
            ? 'withdrawn'
            : null;
      if (!to) return;
      const owner = await this.changes.findScheduleOwner(provider, id, tx);
      if (!owner) return;
      await this.outbox.open(tx, { ...owner, provider });
      await this.changesMoved(await this.changes.finishSchedule(provider, id, to, tx), to, tx);
    }
  }

  /**
   * Opens an account's records for writing in this transaction (docs/guarantees.md#g12): call it
   * first in a transaction that moves the account's records itself, before any other write.
   */
  open(tx: Transaction, scope: { accountId: string; mode: string }): Promise<void> {
    return this.outbox.open(tx, { ...scope, provider: this.provider.name });
  }

  /** Outbound events for changes that have just moved to `status`. */
  async changesMoved(
    moved: ChangeRecord[],
    status: 'applied' | 'scheduled' | 'withdrawn',
    tx: Transaction,
  ): Promise<void> {
    for (const change of moved) await this.outbox.changeMoved(tx, change, change, status);
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
    const written = await this.write(
      state,
      { ...owner, provider: this.provider.name, mode: event.mode },
      version,
      replaceSameVersion,
      tx,
    );
    return written.outcome;
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
    return (await this.write(fetched.subscription, scope, fetched.asOf, true, tx)).outcome;
  }

  /**
   * Reconciliation's write (docs/guarantees.md#g13): state read from the provider replaces stored
   * state only when it is strictly newer by the provider's clock (a webhook of the same second may
   * say more than the reading did; the next round settles it). Answers the tracked fields it
   * repaired: none when the records already said as much, or hold newer state.
   */
  async reconcile(
    fetched: FetchedSubscription,
    scope: { accountId: string; customerId: string; mode: ProviderMode },
    tx: Transaction,
  ): Promise<{ repaired: TrackedField[]; created: boolean }> {
    const written = await this.write(
      fetched.subscription,
      { ...scope, provider: this.provider.name },
      fetched.asOf,
      false,
      tx,
    );
    return { repaired: written.changed, created: written.created };
  }

  /**
   * The one write of subscription state: the account opened (locked) first, the state stored
   * unless newer is, the trial it uses up, the change checkouts it settles, and the outbound
   * events of all that.
   */
  private async write(
    state: ProviderSubscription,
    scope: { accountId: string; customerId: string; provider: string; mode: ProviderMode },
    version: Date,
    replaceSameVersion: boolean,
    tx: Transaction,
  ): Promise<{ outcome: 'stored' | 'older'; changed: TrackedField[]; created: boolean }> {
    await this.outbox.open(tx, scope);
    const before = await this.subscriptions.findTracked(scope.provider, state.id, tx);
    const stored = await this.subscriptions.upsertIfNewer(state, scope, version, { replaceSameVersion }, tx);
    if (!stored) return { outcome: 'older', changed: [], created: false };
    const changed = await this.outbox.subscriptionStored(tx, scope, before, state);
    if (state.trialEnd) await this.trials.consume(scope.accountId, tx);
    // Change checkouts that the reported state shows done elsewhere (a hosted page, a renewal).
    const provider = this.provider.name;
    await this.changesMoved(await this.changes.settleReported(provider, state.id, state, tx), 'applied', tx);
    return { outcome: 'stored', changed, created: before === null };
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
