import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { Database, Transaction } from '../database/database';
import { LIVE_SUBSCRIPTION_STATUSES } from '../subscriptions/subscription.entity';
import { SubscriptionView } from '../subscriptions/dto/my-subscription.dto';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';
import { toSubscriptionView } from '../subscriptions/subscription-view';
import { ProviderSubscription } from '../payments/payment-provider';
import { DispatchSignal } from './dispatch-signal';
import {
  ACCOUNT_CHANGED_CHANNEL,
  CurrentSubscriptionCache,
} from '../subscriptions/current-subscription-cache';

/** The `me` shape: what `GET /api/subscriptions/me` answers for the account in the event's mode. */
export interface MeView {
  subscription: SubscriptionView | null;
}

export type OutboundEventType =
  | 'subscription.created'
  | 'subscription.updated'
  | 'subscription.canceled'
  | 'access.granted'
  | 'access.revoked'
  | 'checkout.completed'
  | 'checkout.expired'
  | 'subscription_change.applied'
  | 'subscription_change.scheduled'
  | 'subscription_change.withdrawn';

export const OUTBOUND_EVENT_TYPES: readonly OutboundEventType[] = [
  'subscription.created',
  'subscription.updated',
  'subscription.canceled',
  'access.granted',
  'access.revoked',
  'checkout.completed',
  'checkout.expired',
  'subscription_change.applied',
  'subscription_change.scheduled',
  'subscription_change.withdrawn',
];

/** The body of an event, as every endpoint and the pull feed get it. */
export interface OutboundEventPayload {
  id: string;
  type: OutboundEventType;
  timestamp: string;
  accountId: string;
  sequence: number;
  mode: string;
  data: { before: MeView; after: MeView } & Record<string, unknown>;
}

/** The fields of a subscription whose change is news; `changed` lists them by these names. */
export const TRACKED_FIELDS = [
  'status',
  'priceId',
  'quantity',
  'trialEnd',
  'currentPeriodStart',
  'currentPeriodEnd',
  'cancelAtPeriodEnd',
  'cancelAt',
] as const;
export type TrackedField = (typeof TRACKED_FIELDS)[number];
export type TrackedState = Pick<ProviderSubscription, TrackedField>;

export interface ChangeFacts {
  sessionId: string;
  type: string;
  providerSubscriptionId: string;
  fromPriceId: string;
  fromQuantity: number;
  toPriceId: string;
  toQuantity: number;
  effectiveAt: Date;
}

export interface CheckoutFacts {
  providerSessionId: string | null;
  checkoutMode: string;
}

/** An event as it is written: its payload, that payload as stored, and its times. */
interface EventRow {
  payload: OutboundEventPayload;
  json: string;
  now: Date;
  retryUntil: Date;
}

interface AccountScope {
  accountId: string;
  provider: string;
  mode: string;
}

/**
 * The transactional outbox (docs/guarantees.md#g12): every change of the records other services
 * care about writes its event in the transaction that makes the change, so that an event exists
 * exactly when its change was committed. Each transaction that writes an account's records opens
 * the account first (`open`): on PostgreSQL that locks the account's row, which orders the
 * account's transactions, so its sequence numbers follow the order of their commits; it also
 * keeps a single lock order (account before its records) across all writers.
 *
 * An event carries the account's `me` view before and after it; the events of one transaction
 * chain (the `after` of one is the `before` of the next).
 */
@Injectable()
export class Outbox {
  private readonly views = new WeakMap<Transaction, Map<string, MeView>>();
  /** PostgreSQL: each opened account's event sequence so far in the transaction (its row is locked). */
  private readonly sequences = new WeakMap<Transaction, Map<string, number>>();

  constructor(
    private readonly db: Database,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly signal: DispatchSignal,
    private readonly cache: CurrentSubscriptionCache,
  ) {}

  /**
   * Takes the account's event lock for this transaction (once) and notes its `me` view. The
   * account's cached current subscription is forgotten once the transaction commits: here, and
   * on PostgreSQL on every instance, by a notification sent in the same statement as the lock
   * (delivered only if the transaction commits).
   */
  async open(tx: Transaction, scope: AccountScope): Promise<void> {
    const views = this.viewsOf(tx);
    const key = keyOf(scope);
    if (views.has(key)) return;
    if (this.db.dialect === 'postgres') {
      const locked = await this.db.first(
        sql<{
          eventSequence: unknown;
        }>`SELECT event_sequence, pg_notify(${ACCOUNT_CHANGED_CHANNEL}, ${scope.accountId})
             FROM accounts WHERE id = ${scope.accountId} FOR UPDATE`,
        tx,
      );
      // Held under the row lock until the transaction ends: its events are numbered from here.
      const sequences = this.sequencesOf(tx);
      if (locked && !sequences.has(scope.accountId))
        sequences.set(scope.accountId, Number(locked.eventSequence));
    }
    this.db.afterCommit(tx, () => this.cache.forget(scope.accountId));
    views.set(key, await this.me(scope, tx));
  }

  /**
   * A subscription's stored state changed from `before` (null: it is new) to `after`: its event
   * (created, canceled or updated, with the fields that changed), and access granted or revoked
   * when the account's `me` crossed between live and not. Nothing when no tracked field changed.
   * Answers the fields that changed (all of them for a new subscription).
   */
  async subscriptionStored(
    tx: Transaction,
    scope: AccountScope,
    before: TrackedState | null,
    after: TrackedState & { id: string },
  ): Promise<TrackedField[]> {
    const changed = before ? changedFields(before, after) : [...TRACKED_FIELDS];
    if (changed.length === 0) return changed;
    const type: OutboundEventType = !before
      ? 'subscription.created'
      : after.status === 'canceled' && before.status !== 'canceled'
        ? 'subscription.canceled'
        : 'subscription.updated';
    await this.emit(tx, scope, type, { subscriptionId: after.id, changed });
    return changed;
  }

  async changeMoved(
    tx: Transaction,
    scope: AccountScope,
    change: ChangeFacts,
    status: 'applied' | 'scheduled' | 'withdrawn',
  ): Promise<void> {
    await this.emit(tx, scope, `subscription_change.${status}`, {
      change: {
        id: change.sessionId,
        type: change.type,
        status,
        subscriptionId: change.providerSubscriptionId,
        from: { priceId: change.fromPriceId, quantity: change.fromQuantity },
        to: { priceId: change.toPriceId, quantity: change.toQuantity },
        effectiveAt: change.effectiveAt.toISOString(),
      },
    });
  }

  async checkoutFinished(
    tx: Transaction,
    scope: AccountScope,
    checkout: CheckoutFacts,
    status: 'complete' | 'expired',
  ): Promise<void> {
    await this.emit(tx, scope, status === 'complete' ? 'checkout.completed' : 'checkout.expired', {
      checkout: { id: checkout.providerSessionId, mode: checkout.checkoutMode, status },
    });
  }

  private async emit(
    tx: Transaction,
    scope: AccountScope,
    type: OutboundEventType,
    extra: Record<string, unknown>,
  ): Promise<void> {
    await this.open(tx, scope);
    const views = this.viewsOf(tx);
    const before = views.get(keyOf(scope))!;
    const after = await this.me(scope, tx);
    views.set(keyOf(scope), after);
    await this.write(tx, scope, type, { before, after, ...extra });
    const hadAccess = hasAccess(before);
    if (hadAccess !== hasAccess(after))
      await this.write(tx, scope, hadAccess ? 'access.revoked' : 'access.granted', { before, after });
  }

  private async write(
    tx: Transaction,
    scope: AccountScope,
    type: OutboundEventType,
    data: OutboundEventPayload['data'],
  ): Promise<void> {
    // On PostgreSQL the account's row is locked (open) and its sequence read there; on SQLite the
    // transaction is the only writer, and UPDATE … RETURNING numbers the event.
    const locked = this.sequencesOf(tx);
    const lockedSequence = locked.get(scope.accountId);
    let sequence: number;
    if (lockedSequence !== undefined) {
      sequence = lockedSequence + 1;
      locked.set(scope.accountId, sequence);
    } else if (this.db.dialect === 'postgres') {
      // `open` found no such account (emit opens it first): nothing can be numbered for it.
      throw new Error(`No account ${scope.accountId} to write an event for`);
    } else {
      const numbered = await this.db.first(
        sql<{ eventSequence: unknown }>`UPDATE accounts SET event_sequence = event_sequence + 1
          WHERE id = ${scope.accountId} RETURNING event_sequence`,
        tx,
      );
      sequence = Number(numbered!.eventSequence);
    }
    const now = new Date();
    const payload: OutboundEventPayload = {
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      type,
      timestamp: now.toISOString(),
      accountId: scope.accountId,
      sequence,
      mode: scope.mode,
      data,
    };
    const json = JSON.stringify(payload);
    const retryUntil = new Date(now.getTime() + this.signal.retryForMs);
    const added =
      this.db.dialect === 'postgres'
        ? await this.writeInOneStatement(tx, scope, { payload, json, now, retryUntil })
        : await this.writeInSteps(tx, scope, { payload, json, now, retryUntil });
    if (added > 0) this.db.afterCommit(tx, () => this.signal.wake());
  }

  /**
   * PostgreSQL: the account's new sequence, the event and its deliveries (one per enabled
   * endpoint) in one statement; answers how many deliveries it queued.
   */
  private writeInOneStatement(tx: Transaction, scope: AccountScope, row: EventRow): Promise<number> {
    const { payload, json, now, retryUntil } = row;
    return this.db.changes(
      sql`WITH numbered AS (
            UPDATE accounts SET event_sequence = ${payload.sequence} WHERE id = ${scope.accountId}
          ), inserted AS (
            INSERT INTO outbound_events (id, type, account_id, sequence, mode, tx_id, payload, created_at)
            VALUES (${payload.id}, ${payload.type}, ${scope.accountId}, ${payload.sequence}, ${scope.mode},
                    pg_current_xact_id()::text::bigint, ${json}, ${now})
            RETURNING position
          )
          INSERT INTO event_deliveries
            (id, event_position, endpoint_id, account_id, sequence, status, attempts, next_attempt_at,
             retry_until, created_at, updated_at)
          SELECT 'dlv_' || replace(gen_random_uuid()::text, '-', ''), inserted.position, e.id,
                 CAST(${scope.accountId} AS uuid), ${payload.sequence}, 'pending', 0, ${now},
                 CAST(${retryUntil} AS timestamptz), ${now}, ${now}
            FROM inserted CROSS JOIN event_endpoints e WHERE e.enabled = ${true}`,
      tx,
    );
  }

  /** SQLite: the event, then its deliveries; answers how many deliveries it queued. */
  private async writeInSteps(tx: Transaction, scope: AccountScope, row: EventRow): Promise<number> {
    const { payload, json, now, retryUntil } = row;
    const inserted = await this.db.first(
      sql<{ position: unknown }>`INSERT INTO outbound_events
          (id, type, account_id, sequence, mode, tx_id, payload, created_at)
        VALUES (${payload.id}, ${payload.type}, ${scope.accountId}, ${payload.sequence}, ${scope.mode}, 0,
          ${json}, ${now})
        RETURNING position`,
      tx,
    );
    return this.db.changes(
      sql`INSERT INTO event_deliveries
          (id, event_position, endpoint_id, account_id, sequence, status, attempts, next_attempt_at,
           retry_until, created_at, updated_at)
        SELECT 'dlv_' || lower(hex(randomblob(16))), ${Number(inserted!.position)}, e.id, ${scope.accountId},
               ${payload.sequence}, 'pending', 0, ${now}, ${retryUntil}, ${now}, ${now}
          FROM event_endpoints e WHERE e.enabled = ${true}`,
      tx,
    );
  }

  private sequencesOf(tx: Transaction): Map<string, number> {
    let sequences = this.sequences.get(tx);
    if (!sequences) {
      sequences = new Map();
      this.sequences.set(tx, sequences);
    }
    return sequences;
  }

  private async me(scope: AccountScope, tx: Transaction): Promise<MeView> {
    const record = await this.subscriptions.findCurrent(scope.accountId, scope.provider, scope.mode, tx);
    return { subscription: record ? toSubscriptionView(record) : null };
  }

  private viewsOf(tx: Transaction): Map<string, MeView> {
    let views = this.views.get(tx);
    if (!views) {
      views = new Map();
      this.views.set(tx, views);
    }
    return views;
  }
}

function keyOf(scope: AccountScope): string {
  return `${scope.accountId}:${scope.provider}:${scope.mode}`;
}

function hasAccess(me: MeView): boolean {
  return me.subscription !== null && LIVE_SUBSCRIPTION_STATUSES.includes(me.subscription.status);
}

export function changedFields(before: TrackedState, after: TrackedState): TrackedField[] {
  return TRACKED_FIELDS.filter((field) => !sameValue(before[field], after[field]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return a === b;
}
