import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Db, toBoolean, toDate, Tx } from '../database/db.service';
import { ProviderSubscription } from '../payments/payment-provider';
import { BLOCKING_SUBSCRIPTION_STATUSES } from './checkout-sessions.repository';

export interface SubscriptionRecord {
  providerSubscriptionId: string;
  mode: string;
  status: string;
  priceId: string | null;
  quantity: number;
  trialEnd: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** Live subscriptions of the account besides this one. */
  otherLiveSubscriptions: number;
}

@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly db: Db) {}

  /**
   * The account's current subscription: a live one before any other, then the most recently
   * recorded (the provider's id breaks a tie), with the number of other live ones.
   */
  async findCurrent(accountId: string, provider: string, mode: string): Promise<SubscriptionRecord | null> {
    const row = await this.db.one<Record<string, unknown>>(
      `SELECT provider_subscription_id, mode, status, price_id, quantity, trial_end, current_period_end,
              cancel_at_period_end,
              (SELECT COUNT(*) FROM subscriptions l
                WHERE l.account_id = s.account_id AND l.provider = s.provider AND l.mode = s.mode
                  AND l.status IN (:...live) AND l.id <> s.id) AS other_live
         FROM subscriptions s
        WHERE account_id = :accountId AND provider = :provider AND mode = :mode
        ORDER BY CASE WHEN status IN (:...live) THEN 0 ELSE 1 END, created_at DESC, provider_subscription_id DESC
        LIMIT 1`,
      { accountId, provider, mode, live: [...BLOCKING_SUBSCRIPTION_STATUSES] },
    );
    if (!row) return null;
    return {
      providerSubscriptionId: String(row.provider_subscription_id),
      mode: String(row.mode),
      status: String(row.status),
      priceId: (row.price_id as string | null) ?? null,
      quantity: Number(row.quantity),
      trialEnd: toDate(row.trial_end),
      currentPeriodEnd: toDate(row.current_period_end),
      cancelAtPeriodEnd: toBoolean(row.cancel_at_period_end),
      otherLiveSubscriptions: Number(row.other_live),
    };
  }

  async findVersion(provider: string, providerSubscriptionId: string, tx?: Tx): Promise<Date | null> {
    const row = await this.db.one<{ provider_updated_at: unknown }>(
      `SELECT provider_updated_at FROM subscriptions
        WHERE provider = :provider AND provider_subscription_id = :providerSubscriptionId`,
      { provider, providerSubscriptionId },
      tx,
    );
    return row ? toDate(row.provider_updated_at) : null;
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
    tx: Tx,
  ): Promise<boolean> {
    const now = new Date();
    const row = await this.db.one(
      `INSERT INTO subscriptions
         (id, account_id, customer_id, provider, mode, provider_subscription_id, status, price_id, quantity,
          trial_end, current_period_end, cancel_at_period_end, provider_updated_at, created_at, updated_at)
       VALUES (:id, :accountId, :customerId, :provider, :mode, :subscriptionId, :status, :priceId, :quantity,
          :trialEnd, :currentPeriodEnd, :cancelAtPeriodEnd, :version, :now, :now)
       ON CONFLICT (provider, provider_subscription_id) DO UPDATE SET
          status = excluded.status,
          price_id = excluded.price_id,
          quantity = excluded.quantity,
          trial_end = excluded.trial_end,
          current_period_end = excluded.current_period_end,
          cancel_at_period_end = excluded.cancel_at_period_end,
          provider_updated_at = excluded.provider_updated_at,
          updated_at = excluded.updated_at
        WHERE subscriptions.provider_updated_at ${options.replaceSameVersion ? '<=' : '<'} excluded.provider_updated_at
       RETURNING id`,
      {
        id: randomUUID(),
        ...owner,
        subscriptionId: state.id,
        status: state.status,
        priceId: state.priceId,
        quantity: state.quantity,
        trialEnd: state.trialEnd,
        currentPeriodEnd: state.currentPeriodEnd,
        cancelAtPeriodEnd: state.cancelAtPeriodEnd,
        version,
        now,
      },
      tx,
    );
    return row !== undefined;
  }
}
