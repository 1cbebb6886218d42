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

  private async applySubscriptionEvent(
    event: PaymentEvent,
    state: ProviderSubscription,
  ): Promise<ProcessOutcome> {
    const owner = await this.ownerOf(event, state);
    let tie = false;
    const outcome = await this.once(event, async (tx) => {
      if (!owner || (await this.store(state, owner, event, false, tx))) return;
      const stored = await this.subscriptions.findVersion(this.provider.name, state.id, tx);
      tie = stored?.getTime() === event.created.getTime();
    });
    if (outcome === 'applied' && tie && owner) {
      // Two pieces of news from the same second: the provider's current state settles it.
      const current = await this.provider.retrieveSubscription(event.mode, state.id);
      if (current) await this.db.transaction((tx) => this.store(current, owner, event, true, tx));
    }
    return outcome;
  }

  /** For events that point at a subscription rather than carry it: its current state is fetched. */
  private async applyWithFetchedSubscription(
    event: PaymentEvent,
    subscriptionId: string | null,
    effect?: (tx: Tx) => Promise<void>,
  ): Promise<ProcessOutcome> {
    if (await this.events.exists(event.id)) return 'duplicate'; // spares the provider call on redeliveries
    const state = subscriptionId
      ? await this.provider.retrieveSubscription(event.mode, subscriptionId)
      : null;
    const owner = state ? await this.ownerOf(event, state) : null;
    return this.once(event, async (tx) => {
      await effect?.(tx);
      if (state && owner) await this.store(state, owner, event, true, tx);
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
    event: PaymentEvent,
    orEqual: boolean,
    tx: Tx,
  ): Promise<boolean> {
    const scope = { ...owner, provider: this.provider.name, mode: event.mode };
    const stored = await this.subscriptions.upsertIfNewer(state, scope, event.created, orEqual, tx);
    if (stored && state.trialEnd) await this.accounts.consumeTrial(owner.accountId, tx);
    return stored;
  }
}
