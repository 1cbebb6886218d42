import { Injectable, Logger } from '@nestjs/common';
import { Database, Transaction } from '../database/database';
import { isDataError } from '../database/database-errors';
import {
  PaymentEvent,
  PaymentProvider,
  ProviderSubscription,
  UnusableProviderData,
} from '../payments/payment-provider';
import { PaymentEventSink } from '../payments/payment-event-sink';
import { ProviderStateService } from '../subscriptions/provider-state.service';
import { WebhookEventsRepository } from './webhook-events.repository';

export type ProcessOutcome = 'applied' | 'duplicate' | 'ignored' | 'rejected';

/**
 * Applies provider events to the service's records (docs/guarantees.md#g6): each event id once (recorded
 * in the same transaction as its effect), and never older state over newer. All stored state is
 * ordered on the provider's clock: an event's state by the event's time, fetched state by the
 * time the provider answered. State of the same second is settled by fetching the subscription.
 * Provider calls happen outside transactions. An event whose data can never be stored is recorded
 * as rejected, with the reason, and acknowledged: retrying it cannot help.
 */
@Injectable()
export class WebhookProcessor implements PaymentEventSink {
  private readonly logger = new Logger(WebhookProcessor.name);

  constructor(
    private readonly db: Database,
    private readonly events: WebhookEventsRepository,
    private readonly records: ProviderStateService,
    private readonly provider: PaymentProvider,
  ) {}

  async process(event: PaymentEvent): Promise<ProcessOutcome> {
    try {
      return await this.apply(event);
    } catch (error) {
      const reason = unusableReason(error);
      if (reason === null) throw error;
      return this.reject(event, reason);
    }
  }

  /**
   * Applies an event inside the caller's transaction, for a provider that reports an outcome and
   * writes its own objects in one go (the sandbox): every subscription state it needs is carried
   * by the event, and is current (it replaces stored state of the same second).
   */
  async processWithin(event: PaymentEvent, tx: Transaction): Promise<ProcessOutcome> {
    if (event.kind === 'ignored') return 'ignored';
    if (event.kind === 'rejected') throw new UnusableProviderData(event.reason);
    if (!(await this.events.record(event, this.provider.name, { outcome: 'applied' }, tx)))
      return 'duplicate';
    await this.records.applyEffect(event, tx);
    const state = 'subscription' in event ? event.subscription : undefined;
    if (state)
      await this.records.store({ state, version: event.created, replaceSameVersion: true }, event, tx);
    return 'applied';
  }

  private async apply(event: PaymentEvent): Promise<ProcessOutcome> {
    switch (event.kind) {
      case 'ignored':
        return 'ignored';
      case 'rejected':
        return this.reject(event, event.reason);
      case 'subscription':
        return this.applySubscriptionEvent(event, event.subscription);
      case 'checkout.expired':
        return this.once(event, (tx) => this.records.applyEffect(event, tx));
      case 'checkout.completed':
        return this.applyWithFetchedSubscription(event, event.session.subscriptionId);
      case 'invoice':
        return this.applyWithFetchedSubscription(event, event.subscriptionId);
      case 'schedule':
        return this.applyWithFetchedSubscription(event, event.schedule.subscriptionId);
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
    try {
      return await this.once(event, async (tx) => {
        const stored = await this.records.store(
          { state, version: event.created, replaceSameVersion: false },
          event,
          tx,
        );
        if (stored !== 'older') return;
        const version = await this.records.storedVersion(state.id, tx);
        if (version?.getTime() === event.created.getTime()) throw new SameSecondState();
      });
    } catch (error) {
      if (!(error instanceof SameSecondState)) throw error;
      return this.applyWithFetchedSubscription(event, state.id);
    }
  }

  /**
   * For events that point at a subscription rather than carry it (and for same-second ties): the
   * provider's current state is fetched first, outside any transaction, and dated by when the
   * provider answered, so that no event older than the fetch can overwrite it.
   */
  private async applyWithFetchedSubscription(
    event: PaymentEvent,
    subscriptionId: string | null,
  ): Promise<ProcessOutcome> {
    if (await this.events.exists(event.id)) return 'duplicate'; // spares the provider call on redeliveries
    const fetched = subscriptionId
      ? await this.provider.retrieveSubscription(event.mode, subscriptionId)
      : null;
    return this.once(event, async (tx) => {
      await this.records.applyEffect(event, tx);
      if (!fetched) return;
      const version = new Date(Math.max(fetched.asOf.getTime(), event.created.getTime()));
      await this.records.store({ state: fetched.subscription, version, replaceSameVersion: true }, event, tx);
    });
  }

  /** Runs the effect of an event in one transaction with recording its id: once per id. */
  private async once(
    event: PaymentEvent,
    effect: (tx: Transaction) => Promise<void>,
  ): Promise<ProcessOutcome> {
    return this.db.transaction(async (tx) => {
      if (!(await this.events.record(event, this.provider.name, { outcome: 'applied' }, tx)))
        return 'duplicate';
      await effect(tx);
      return 'applied';
    });
  }

  /** Records a verified event that can never be applied, so that its redeliveries are answered at once. */
  private async reject(event: PaymentEvent, reason: string): Promise<ProcessOutcome> {
    this.logger.warn(
      { eventId: event.id, type: event.type, reason },
      'event rejected: its data cannot be stored',
    );
    return this.db.transaction(async (tx) =>
      (await this.events.record(event, this.provider.name, { outcome: 'rejected', reason }, tx))
        ? 'rejected'
        : 'duplicate',
    );
  }
}

/** Thrown inside a transaction to undo it: the event's state and the stored one share a second. */
class SameSecondState extends Error {}

/** Why the data of an event can never be stored, or null when the failure is worth a retry. */
function unusableReason(error: unknown): string | null {
  if (error instanceof UnusableProviderData) return error.reason;
  // The adapters check what they read; a value the database still refuses is refused for good.
  const code = isDataError(error);
  return code ? `the database refused a value (${code})` : null;
}
