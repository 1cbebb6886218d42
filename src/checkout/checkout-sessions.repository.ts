import { Injectable } from '@nestjs/common';
import { RawBuilder, sql } from 'kysely';
import { Database, toBoolean, Transaction } from '../database/database';
import { LIVE_SUBSCRIPTION_STATUSES } from '../subscriptions/subscription.entity';
import { CheckoutSession, CheckoutStatus } from './checkout-session.entity';

/**
 * The place a pending or open checkout takes: one per account, provider and mode for
 * subscription checkouts (whatever their price), one per distinct request for payment checkouts.
 * `requestHash` stands for every field of the request that reaches the provider.
 */
export interface CheckoutSlot {
  accountId: string;
  provider: string;
  mode: string;
  checkoutMode: string;
  requestHash: string;
}

/** What the provider is asked for, as the row records it. */
export type CheckoutTerms = Pick<CheckoutSession, 'priceId' | 'quantity' | 'expiresAt'> & {
  requestHash: string;
};

export type ActiveCheckout = Pick<
  CheckoutSession,
  'id' | 'requestHash' | 'providerSessionId' | 'url' | 'trialDays' | 'expiresAt' | 'leaseUntil' | 'createdAt'
> & { status: Extract<CheckoutStatus, 'pending' | 'open'> };

export interface CheckoutContext {
  providerCustomerId: string | null;
  hasBlockingSubscription: boolean;
  active: ActiveCheckout | null;
}

/** A live subscription makes a new subscription checkout a second one (docs/guarantees.md#g2). */
const BLOCKING = sql.join([...LIVE_SUBSCRIPTION_STATUSES]);

/** The pending or open checkout holding a slot (matches the partial unique indexes). */
function inSlot(alias: string, slot: CheckoutSlot): RawBuilder<unknown> {
  const o = sql.raw(alias);
  return sql`${o}.account_id = ${slot.accountId} AND ${o}.provider = ${slot.provider}
          AND ${o}.mode = ${slot.mode} AND ${o}.checkout_mode = ${slot.checkoutMode}
          AND (${o}.checkout_mode = 'subscription' OR ${o}.request_hash = ${slot.requestHash})
          AND ${o}.status IN ('pending', 'open')`;
}

const ACTIVE_COLUMNS = (alias: string) =>
  sql.raw(`${alias}.id AS checkout_id, ${alias}.status, ${alias}.request_hash, ${alias}.provider_session_id,
   ${alias}.url, ${alias}.trial_days, ${alias}.expires_at, ${alias}.lease_until, ${alias}.created_at`);

/** A checkout that has just ended (completed or expired). */
export type FinishedCheckout = Pick<
  CheckoutSession,
  'id' | 'accountId' | 'provider' | 'mode' | 'providerSessionId' | 'checkoutMode'
>;
const FINISHED = sql.raw('id, account_id, provider, mode, provider_session_id, checkout_mode');

type ActiveRow = Omit<ActiveCheckout, 'id'> & { checkoutId: string };

@Injectable()
export class CheckoutSessionsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Everything starting a checkout needs to know, in one round trip: the account's provider
   * customer, whether a subscription blocks a new one, and the checkout holding the slot.
   * Undefined when the account does not exist.
   */
  async loadContext(slot: CheckoutSlot): Promise<CheckoutContext | undefined> {
    const row = await this.db.first(
      sql<{ providerCustomerId: string | null; blocked: unknown } & Partial<ActiveRow>>`
       SELECT c.provider_customer_id,
              CASE WHEN ${slot.checkoutMode} = 'subscription' AND EXISTS (
                SELECT 1 FROM subscriptions s
                 WHERE s.account_id = a.id AND s.provider = ${slot.provider} AND s.mode = ${slot.mode}
                   AND s.status IN (${BLOCKING})
              ) THEN 1 ELSE 0 END AS blocked,
              ${ACTIVE_COLUMNS('o')}
         FROM accounts a
         LEFT JOIN customers c
           ON c.account_id = a.id AND c.provider = ${slot.provider} AND c.mode = ${slot.mode}
         LEFT JOIN checkout_sessions o ON ${inSlot('o', slot)}
        WHERE a.id = ${slot.accountId}`,
    );
    if (!row) return undefined;
    return {
      providerCustomerId: row.providerCustomerId ?? null,
      hasBlockingSubscription: toBoolean(row.blocked),
      active: row.checkoutId ? toActive(row as ActiveRow) : null,
    };
  }

  /**
   * The common case in one round trip: inserts a pending checkout unless the account is missing,
   * a subscription blocks a new one (unless allowed), or the slot is taken; and returns what
   * creating it at the provider needs. Undefined when not inserted.
   */
  async claimIfFree(
    slot: CheckoutSlot,
    checkout: CheckoutTerms & { id: string; leaseUntil: Date; createdAt: Date },
    options: { allowExistingSubscription: boolean },
  ): Promise<{ providerCustomerId: string | null; trialClaimed: boolean } | undefined> {
    const typed = this.db.typed.bind(this.db);
    const now = checkout.createdAt;
    const row = await this.db.first(
      sql<{ providerCustomerId: string | null; trialClaimed: unknown }>`
       INSERT INTO checkout_sessions
         (id, account_id, provider, mode, checkout_mode, price_id, quantity, request_hash, status,
          trial_days, expires_at, lease_until, created_at, updated_at)
       SELECT ${typed(checkout.id, 'uuid')}, a.id, ${typed(slot.provider, 'varchar')},
              ${typed(slot.mode, 'varchar')}, ${typed(slot.checkoutMode, 'varchar')},
              ${typed(checkout.priceId, 'varchar')}, ${typed(checkout.quantity, 'integer')},
              ${typed(checkout.requestHash, 'varchar')}, 'pending', NULL,
              ${typed(checkout.expiresAt, 'timestamptz')}, ${typed(checkout.leaseUntil, 'timestamptz')},
              ${typed(now, 'timestamptz')}, ${typed(now, 'timestamptz')}
         FROM accounts a
        WHERE a.id = ${slot.accountId}
          AND (${typed(options.allowExistingSubscription, 'boolean')} OR ${slot.checkoutMode} <> 'subscription'
               OR NOT EXISTS (
                SELECT 1 FROM subscriptions s
                 WHERE s.account_id = a.id AND s.provider = ${slot.provider} AND s.mode = ${slot.mode}
                   AND s.status IN (${BLOCKING})))
       ON CONFLICT DO NOTHING
       RETURNING
         (SELECT c.provider_customer_id FROM customers c
           WHERE c.account_id = ${slot.accountId} AND c.provider = ${slot.provider} AND c.mode = ${slot.mode})
           AS provider_customer_id,
         (SELECT CASE WHEN t.trial_claimed_at IS NULL THEN 0 ELSE 1 END FROM accounts t
           WHERE t.id = ${slot.accountId}) AS trial_claimed`,
    );
    if (!row) return undefined;
    return { providerCustomerId: row.providerCustomerId ?? null, trialClaimed: toBoolean(row.trialClaimed) };
  }

  /** One of the account's checkouts by the provider's session id, as callers read it. */
  async findOwned(accountId: string, provider: string, providerSessionId: string) {
    const row = await this.db.first(
      sql<
        Pick<
          CheckoutSession,
          'mode' | 'checkoutMode' | 'priceId' | 'quantity' | 'trialDays' | 'url' | 'expiresAt' | 'createdAt'
        > & {
          status: CheckoutStatus;
        }
      >`SELECT mode, checkout_mode, price_id, quantity, trial_days, url, expires_at, created_at, status
          FROM checkout_sessions
         WHERE account_id = ${accountId} AND provider = ${provider} AND provider_session_id = ${providerSessionId}`,
    );
    return row && { ...row, trialDays: row.trialDays === null ? null : Number(row.trialDays) };
  }

  async setTrialDays(id: string, trialDays: number): Promise<void> {
    await this.db.changes(sql`UPDATE checkout_sessions SET trial_days = ${trialDays} WHERE id = ${id}`);
  }

  /**
   * Takes over a pending checkout whose request died (its lease ran out) for a request of the same
   * slot, whose terms it records from now on. True when this call won.
   */
  async takeOver(
    id: string,
    expiredLease: Date,
    terms: CheckoutTerms & { leaseUntil: Date },
  ): Promise<boolean> {
    const changed = await this.db.changes(
      sql`UPDATE checkout_sessions
             SET lease_until = ${terms.leaseUntil}, price_id = ${terms.priceId}, quantity = ${terms.quantity},
                 request_hash = ${terms.requestHash}, expires_at = ${terms.expiresAt}, trial_days = NULL,
                 updated_at = ${new Date()}
           WHERE id = ${id} AND status = 'pending' AND lease_until = ${expiredLease}`,
    );
    return changed === 1;
  }

  async markOpen(id: string, session: { id: string; url: string; expiresAt: Date }): Promise<void> {
    await this.db.changes(
      sql`UPDATE checkout_sessions
             SET status = 'open', provider_session_id = ${session.id}, url = ${session.url},
                 expires_at = ${session.expiresAt}, lease_until = NULL, updated_at = ${new Date()}
           WHERE id = ${id}`,
    );
  }

  /** Forgets a pending checkout whose provider call failed: no record of what was never made. */
  async release(id: string, tx: Transaction): Promise<void> {
    await this.db.changes(sql`DELETE FROM checkout_sessions WHERE id = ${id} AND status = 'pending'`, tx);
  }

  /**
   * Ends an open checkout: one whose time is up (`onlyIfPastExpiry`), or one the provider has just
   * expired. True when this call changed it.
   */
  async expire(
    id: string,
    options: { onlyIfPastExpiry: boolean },
    tx: Transaction,
  ): Promise<FinishedCheckout | undefined> {
    const now = new Date();
    return this.db.first(
      sql<FinishedCheckout>`UPDATE checkout_sessions SET status = 'expired', updated_at = ${now}
           WHERE id = ${id} AND status = 'open' ${options.onlyIfPastExpiry ? sql`AND expires_at <= ${now}` : sql``}
           RETURNING ${FINISHED}`,
      tx,
    );
  }

  /** The account and mode of a checkout by the provider's session id (read before the account is locked). */
  async findOwnerByProviderSessionId(provider: string, providerSessionId: string, tx: Transaction) {
    return this.db.first(
      sql<Pick<CheckoutSession, 'accountId' | 'mode'>>`SELECT account_id, mode FROM checkout_sessions
        WHERE provider = ${provider} AND provider_session_id = ${providerSessionId}`,
      tx,
    );
  }

  /** Moves a checkout to complete or expired by the provider's session id; its id when found. */
  async finishByProviderSessionId(
    provider: string,
    providerSessionId: string,
    status: Extract<CheckoutStatus, 'complete' | 'expired'>,
    tx: Transaction,
  ): Promise<FinishedCheckout | undefined> {
    return this.db.first(
      sql<FinishedCheckout>`UPDATE checkout_sessions
             SET status = ${status}, lease_until = NULL, updated_at = ${new Date()}
           WHERE provider = ${provider} AND provider_session_id = ${providerSessionId}
             AND status IN ('pending', 'open')
           RETURNING ${FINISHED}`,
      tx,
    );
  }
}

function toActive({ checkoutId, ...row }: ActiveRow): ActiveCheckout {
  return { ...row, id: checkoutId, trialDays: row.trialDays === null ? null : Number(row.trialDays) };
}
