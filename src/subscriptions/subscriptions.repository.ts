import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { Database, toDate, Transaction } from '../database/database';
import { ProviderSubscription } from '../payments/payment-provider';
import type { TrackedField } from '../events/outbox';
import { LIVE_SUBSCRIPTION_STATUSES, Subscription } from './subscription.entity';

export type SubscriptionRecord = Pick<
  Subscription,
  | 'providerSubscriptionId'
  | 'mode'
  | 'status'
  | 'priceId'
  | 'quantity'
  | 'trialEnd'
  | 'currentPeriodStart'
  | 'currentPeriodEnd'
  | 'cancelAtPeriodEnd'
  | 'cancelAt'
> & {
  /** Live subscriptions of the account besides this one. */
  otherLiveSubscriptions: number;
  /** The change the service scheduled for the end of the period, if any. */
  pendingChange: { priceId: string; quantity: number; effectiveAt: Date } | null;
};

/** A subscription of the account's, as a change starts from it. */
export type OwnedSubscription = Pick<
  Subscription,
  'providerSubscriptionId' | 'customerId' | 'mode' | 'status' | 'priceId' | 'quantity' | 'scheduleId'
> & { providerCustomerId: string | null };

const LIVE = sql.join([...LIVE_SUBSCRIPTION_STATUSES]);

@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly db: Database) {}

  /**
   * The account's current subscription: a live one before any other, then the most recently
   * recorded (the provider's id breaks a tie), with the number of other live ones.
   */
  async findCurrent(
    accountId: string,
    provider: string,
    mode: string,
    tx?: Transaction,
  ): Promise<SubscriptionRecord | null> {
    const row = await this.db.first(
      sql<
        Omit<SubscriptionRecord, 'otherLiveSubscriptions' | 'pendingChange'> & {
          otherLive: unknown;
          pendingPriceId: string | null;
          pendingQuantity: unknown;
          pendingEffectiveAt: unknown;
        }
      >`
       SELECT s.provider_subscription_id, s.mode, s.status, s.price_id, s.quantity, s.trial_end,
              s.current_period_start, s.current_period_end, s.cancel_at_period_end, s.cancel_at,
              (SELECT COUNT(*) FROM subscriptions l
                WHERE l.account_id = s.account_id AND l.provider = s.provider AND l.mode = s.mode
                  AND l.status IN (${LIVE}) AND l.id <> s.id) AS other_live,
              p.to_price_id AS pending_price_id, p.to_quantity AS pending_quantity,
              p.effective_at AS pending_effective_at
         FROM subscriptions s
         LEFT JOIN subscription_changes p
           ON p.provider = s.provider AND p.provider_subscription_id = s.provider_subscription_id
          AND p.status = 'scheduled'
        WHERE s.account_id = ${accountId} AND s.provider = ${provider} AND s.mode = ${mode}
        ORDER BY CASE WHEN s.status IN (${LIVE}) THEN 0 ELSE 1 END, s.created_at DESC,
                 s.provider_subscription_id DESC
        LIMIT 1`,
      tx,
    );
    if (!row) return null;
    const { otherLive, pendingPriceId, pendingQuantity, pendingEffectiveAt, ...record } = row;
    return {
      ...record,
      otherLiveSubscriptions: Number(otherLive),
      pendingChange: pendingPriceId
        ? {
            priceId: pendingPriceId,
            quantity: Number(pendingQuantity),
            effectiveAt: toDate(pendingEffectiveAt)!,
          }
        : null,
    };
  }

  /** One of the account's subscriptions by the provider's id, with its provider customer; else undefined. */
  async findOwned(
    accountId: string,
    provider: string,
    mode: string,
    providerSubscriptionId: string,
  ): Promise<OwnedSubscription | undefined> {
    return this.db.first(
      sql<OwnedSubscription>`
       SELECT s.provider_subscription_id, s.customer_id, s.mode, s.status, s.price_id, s.quantity,
              s.schedule_id, c.provider_customer_id
         FROM subscriptions s
         LEFT JOIN customers c ON c.id = s.customer_id
        WHERE s.account_id = ${accountId} AND s.provider = ${provider} AND s.mode = ${mode}
          AND s.provider_subscription_id = ${providerSubscriptionId}`,
    );
  }

  /** What outbound events compare of a stored subscription, or null when none is stored. */
  async findTracked(provider: string, providerSubscriptionId: string, tx: Transaction) {
    const row = await this.db.first(
      sql<Pick<Subscription, TrackedField>>`SELECT status, price_id, quantity, trial_end,
              current_period_start, current_period_end, cancel_at_period_end, cancel_at
         FROM subscriptions
        WHERE provider = ${provider} AND provider_subscription_id = ${providerSubscriptionId}`,
      tx,
    );
    return row ? { ...row, quantity: Number(row.quantity) } : null;
  }

  async findVersion(
    provider: string,
    providerSubscriptionId: string,
    tx?: Transaction,
  ): Promise<Date | null> {
    const row = await this.db.first(
      sql<Pick<Subscription, 'providerUpdatedAt'>>`SELECT provider_updated_at FROM subscriptions
        WHERE provider = ${provider} AND provider_subscription_id = ${providerSubscriptionId}`,
      tx,
    );
    return row ? toDate(row.providerUpdatedAt) : null;
  }

  /**
   * Stores the provider's state of a subscription unless newer state is stored already:
   * `version` is when the provider produced this state, by its clock. With `replaceSameVersion`,
   * state of the same version replaces the stored one (for state just fetched from the provider).
   */
  async upsertIfNewer(
    state: ProviderSubscription,
    owner: { accountId: string; customerId: string; provider: string; mode: string },
    version: Date,
    options: { replaceSameVersion: boolean },
    tx: Transaction,
  ): Promise<boolean> {
    const now = new Date();
    const row = await this.db.first(
      sql`INSERT INTO subscriptions
         (id, account_id, customer_id, provider, mode, provider_subscription_id, status, item_id, item_count,
          price_id, quantity, trial_end, current_period_start, current_period_end, cancel_at_period_end,
          cancel_at, schedule_id, pending_update_expires_at, provider_updated_at, created_at, updated_at)
       VALUES (${randomUUID()}, ${owner.accountId}, ${owner.customerId}, ${owner.provider}, ${owner.mode},
          ${state.id}, ${state.status}, ${state.itemId}, ${state.itemCount}, ${state.priceId}, ${state.quantity},
          ${state.trialEnd}, ${state.currentPeriodStart}, ${state.currentPeriodEnd}, ${state.cancelAtPeriodEnd},
          ${state.cancelAt}, ${state.scheduleId}, ${state.pendingUpdateExpiresAt}, ${version}, ${now}, ${now})
       ON CONFLICT (provider, provider_subscription_id) DO UPDATE SET
          status = excluded.status,
          item_id = excluded.item_id,
          item_count = excluded.item_count,
          price_id = excluded.price_id,
          quantity = excluded.quantity,
          trial_end = excluded.trial_end,
          current_period_start = excluded.current_period_start,
          current_period_end = excluded.current_period_end,
          cancel_at_period_end = excluded.cancel_at_period_end,
          cancel_at = excluded.cancel_at,
          schedule_id = excluded.schedule_id,
          pending_update_expires_at = excluded.pending_update_expires_at,
          provider_updated_at = excluded.provider_updated_at,
          updated_at = excluded.updated_at
        WHERE subscriptions.provider_updated_at ${sql.raw(options.replaceSameVersion ? '<=' : '<')}
              excluded.provider_updated_at
       RETURNING id`,
      tx,
    );
    return row !== undefined;
  }
}
