import { Injectable, Logger } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository';
import { Db, Tx } from '../database/db.service';
import { CustomerOwnership, CustomersService } from '../customers/customers.service';
import { PaymentEvent, PaymentProvider, ProviderSubscription } from '../payments/payment-provider';
import { CheckoutSessionsRepository } from '../subscriptions/checkout-sessions.repository';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';
import { WebhookEventsRepository } from './webhook-events.repository';

export type ProcessOutcome = 'applied' | 'duplicate' | 'ignored';

/**
 * Applies provider events to the service's records (invariant 6): each event id once (recorded
 * in the same transaction as its effect), and never older state over newer. Subscription state
 * carries the time the provider produced it; state of the same second is settled by fetching the
 * subscription from the provider. Provider calls happen outside transactions.
 */
@Injectable()
export class WebhookProcessor {
  private readonly logger = new Logger(WebhookProcessor.name);

  constructor(
    private readonly db: Db,
    private readonly events: WebhookEventsRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly checkouts: CheckoutSessionsRepository,
    private readonly accounts: AccountsRepository,
    private readonly customers: CustomersService,
    private readonly provider: PaymentProvider,
  ) {}

  async process(event: PaymentEvent): Promise<ProcessOutcome> {
    switch (event.kind) {
      case 'ignored':
        return 'ignored';
      case 'subscription':
        return this.applySubscriptionEvent(event, event.subscription);
      case 'checkout.expired':
        return this.once(event, async (tx) => {
          const checkout = await this.checkouts.finishByProviderSessionId(
            this.provider.name,
            event.session.id,
            'expired',
            tx,
          );
          if (checkout) await this.accounts.releaseTrial(checkout.id, tx);
        });
      case 'checkout.completed':
        return this.applyWithFetchedSubscription(event, event.session.subscriptionId, async (tx) => {
          await this.checkouts.finishByProviderSessionId(
            this.provider.name,
            event.session.id,
            'complete',
            tx,
          );
        });
      case 'invoice':
        return this.applyWithFetchedSubscription(event, event.subscriptionId);
    }
  }

  /**
   * An event that carries the subscription's state: stored when it is newer than what is stored.
   * When the stored state is from the same second, the order of the two is unknown: the whole
   * transaction is undone, the provider's current state fetched, and that stored with the event.
   */
  private async applySubscriptionEvent(
    event: PaymentEvent,
    state: ProviderSubscription,
  ): Promise<ProcessOutcome> {
    const owner = await this.ownerOf(event, state);
    try {
      return await this.once(event, async (tx) => {
        if (!owner || (await this.store(state, owner, event.mode, event.created, false, tx))) return;
        const stored = await this.subscriptions.findVersion(this.provider.name, state.id, tx);
        if (stored?.getTime() === event.created.getTime()) throw new SameSecondState();
      });
    } catch (error) {
      if (!(error instanceof SameSecondState)) throw error;
      return this.applyWithFetchedSubscription(event, state.id);
    }
  }

  /**
   * For events that point at a subscription rather than carry it (and for same-second ties): the
   * provider's current state is fetched first, outside any transaction, and dated by when it was
   * fetched, so that no event older than the fetch can overwrite it.
   */
  private async applyWithFetchedSubscription(
    event: PaymentEvent,
    subscriptionId: string | null,
    effect?: (tx: Tx) => Promise<void>,
  ): Promise<ProcessOutcome> {
    if (await this.events.exists(event.id)) return 'duplicate'; // spares the provider call on redeliveries
    // In whole seconds, like the provider's event times: news from the same second is a tie again.
    const fetchedAt = new Date(Math.max(Math.floor(Date.now() / 1000) * 1000, event.created.getTime()));
    const state = subscriptionId
      ? await this.provider.retrieveSubscription(event.mode, subscriptionId)
      : null;
    const owner = state ? await this.ownerOf(event, state) : null;
    return this.once(event, async (tx) => {
      await effect?.(tx);
      if (state && owner) await this.store(state, owner, event.mode, fetchedAt, true, tx);
    });
  }

  /** Runs the effect of an event in one transaction with recording its id: once per id. */
  private async once(event: PaymentEvent, effect: (tx: Tx) => Promise<void>): Promise<ProcessOutcome> {
    return this.db.transaction(async (tx) => {
      if (!(await this.events.record(event, this.provider.name, tx))) return 'duplicate';
      await effect(tx);
      return 'applied';
    });
  }

  private async ownerOf(event: PaymentEvent, state: ProviderSubscription): Promise<CustomerOwnership | null> {
    const owner = await this.customers.findOwner(event.mode, state.customerId);
    if (!owner) {
      this.logger.warn(
        { eventId: event.id, subscription: state.id },
        'subscription of an unknown customer ignored',
      );
    }
    return owner;
  }

  /** True when the state was stored (it was newer than what is stored). */
  private async store(
    state: ProviderSubscription,
    owner: CustomerOwnership,
    mode: PaymentEvent['mode'],
    version: Date,
    orEqual: boolean,
    tx: Tx,
  ): Promise<boolean> {
    const scope = { ...owner, provider: this.provider.name, mode };
    const stored = await this.subscriptions.upsertIfNewer(state, scope, version, orEqual, tx);
    if (stored && state.trialEnd) await this.accounts.consumeTrial(owner.accountId, tx);
    return stored;
  }
}

/** Thrown inside a transaction to undo it: the event's state and the stored one share a second. */
class SameSecondState extends Error {}
