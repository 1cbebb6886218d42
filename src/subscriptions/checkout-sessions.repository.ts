import { Injectable } from '@nestjs/common';
import { Db, toBoolean, toDate, Tx } from '../database/db.service';
import { CheckoutStatus } from './checkout-session.entity';

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
export interface CheckoutTerms {
  priceId: string;
  quantity: number;
  requestHash: string;
  expiresAt: Date;
}

export interface ActiveCheckout {
  id: string;
  status: Extract<CheckoutStatus, 'pending' | 'open'>;
  requestHash: string | null;
  providerSessionId: string | null;
  url: string | null;
  trialDays: number | null;
  expiresAt: Date;
  leaseUntil: Date | null;
}

export interface CheckoutContext {
  account: { id: string; name: string; email: string | null; trialClaimed: boolean };
  providerCustomerId: string | null;
  hasBlockingSubscription: boolean;
  active: ActiveCheckout | null;
}

/** Subscription statuses that make a new checkout a second subscription (invariant 2). */
export const BLOCKING_SUBSCRIPTION_STATUSES = ['active', 'trialing', 'past_due'] as const;

/** The pending or open checkout holding a slot (matches the partial unique indexes). */
const IN_SLOT = (alias: string) => `${alias}.account_id = :accountId AND ${alias}.provider = :provider
          AND ${alias}.mode = :mode AND ${alias}.checkout_mode = :checkoutMode
          AND (${alias}.checkout_mode = 'subscription' OR ${alias}.request_hash = :requestHash)
          AND ${alias}.status IN ('pending', 'open')`;

const ACTIVE_COLUMNS = (alias: string) =>
  `${alias}.id AS checkout_id, ${alias}.status, ${alias}.request_hash, ${alias}.provider_session_id,
   ${alias}.url, ${alias}.trial_days, ${alias}.expires_at, ${alias}.lease_until`;

@Injectable()
export class CheckoutSessionsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Everything starting a checkout needs to know, in one round trip: the account, its provider
   * customer, whether a subscription blocks a new one, and the checkout holding the slot.
   * Undefined when the account does not exist.
   */
  async loadContext(slot: CheckoutSlot): Promise<CheckoutContext | undefined> {
    const row = await this.db.one<Record<string, unknown>>(
      `SELECT a.id AS account_id, a.name, a.email, a.trial_claimed_at,
              c.provider_customer_id,
              CASE WHEN EXISTS (
                SELECT 1 FROM subscriptions s
                 WHERE s.account_id = a.id AND s.provider = :provider AND s.mode = :mode
                   AND s.status IN (:...blocking)
              ) THEN 1 ELSE 0 END AS blocked,
              ${ACTIVE_COLUMNS('o')}
         FROM accounts a
         LEFT JOIN customers c
           ON c.account_id = a.id AND c.provider = :provider AND c.mode = :mode
         LEFT JOIN checkout_sessions o ON ${IN_SLOT('o')}
        WHERE a.id = :accountId`,
      { ...slot, blocking: [...BLOCKING_SUBSCRIPTION_STATUSES] },
    );
    if (!row) return undefined;
    return {
      account: {
        id: String(row.account_id),
        name: String(row.name),
        email: (row.email as string | null) ?? null,
        trialClaimed: row.trial_claimed_at !== null && row.trial_claimed_at !== undefined,
      },
      providerCustomerId: (row.provider_customer_id as string | null) ?? null,
      hasBlockingSubscription: toBoolean(row.blocked),
      active: row.checkout_id ? toActive(row) : null,
    };
  }

  /**
   * The common case in one round trip: inserts a pending checkout unless the account is missing,
   * a subscription blocks a new one (unless allowed), or the slot is taken; and returns what
   * creating it at the provider needs. Undefined when not inserted.
   */
  async claimIfFree(
    slot: CheckoutSlot,
    checkout: CheckoutTerms & { id: string; leaseUntil: Date },
    options: { allowExistingSubscription: boolean },
  ): Promise<{ providerCustomerId: string | null; trialClaimed: boolean } | undefined> {
    const p = (name: string, type: Parameters<Db['param']>[1]) => this.db.param(name, type);
    const row = await this.db.one<Record<string, unknown>>(
      `INSERT INTO checkout_sessions
         (id, account_id, provider, mode, checkout_mode, price_id, quantity, request_hash, status,
          trial_days, expires_at, lease_until, created_at, updated_at)
       SELECT ${p('id', 'uuid')}, a.id, ${p('provider', 'varchar')}, ${p('mode', 'varchar')},
              ${p('checkoutMode', 'varchar')}, ${p('priceId', 'varchar')}, ${p('quantity', 'integer')},
              ${p('requestHash', 'varchar')}, 'pending', NULL, ${p('expiresAt', 'timestamp')},
              ${p('leaseUntil', 'timestamp')}, ${p('now', 'timestamp')}, ${p('now', 'timestamp')}
         FROM accounts a
        WHERE a.id = :accountId
          AND (${p('allowExisting', 'boolean')} OR NOT EXISTS (
                SELECT 1 FROM subscriptions s
                 WHERE s.account_id = a.id AND s.provider = :provider AND s.mode = :mode
                   AND s.status IN (:...blocking)))
       ON CONFLICT DO NOTHING
       RETURNING
         (SELECT c.provider_customer_id FROM customers c
           WHERE c.account_id = :accountId AND c.provider = :provider AND c.mode = :mode) AS provider_customer_id,
         (SELECT CASE WHEN t.trial_claimed_at IS NULL THEN 0 ELSE 1 END FROM accounts t
           WHERE t.id = :accountId) AS trial_claimed`,
      {
        ...slot,
        ...checkout,
        now: new Date(),
        allowExisting: options.allowExistingSubscription,
        blocking: [...BLOCKING_SUBSCRIPTION_STATUSES],
      },
    );
    if (!row) return undefined;
    return {
      providerCustomerId: (row.provider_customer_id as string | null) ?? null,
      trialClaimed: toBoolean(row.trial_claimed),
    };
  }

  async findActive(slot: CheckoutSlot): Promise<ActiveCheckout | null> {
    const row = await this.db.one<Record<string, unknown>>(
      `SELECT ${ACTIVE_COLUMNS('o')} FROM checkout_sessions o WHERE ${IN_SLOT('o')}`,
      { ...slot },
    );
    return row ? toActive(row) : null;
  }

  async setTrialDays(id: string, trialDays: number): Promise<void> {
    await this.db.execute('UPDATE checkout_sessions SET trial_days = :trialDays WHERE id = :id', {
      id,
      trialDays,
    });
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
    const changed = await this.db.execute(
      `UPDATE checkout_sessions
          SET lease_until = :leaseUntil, price_id = :priceId, quantity = :quantity,
              request_hash = :requestHash, expires_at = :expiresAt, trial_days = NULL, updated_at = :now
        WHERE id = :id AND status = 'pending' AND lease_until = :expiredLease`,
      { id, expiredLease, ...terms, now: new Date() },
    );
    return changed === 1;
  }

  async markOpen(id: string, session: { id: string; url: string; expiresAt: Date }): Promise<void> {
    await this.db.execute(
      `UPDATE checkout_sessions
          SET status = 'open', provider_session_id = :sessionId, url = :url, expires_at = :expiresAt,
              lease_until = NULL, updated_at = :now
        WHERE id = :id`,
      { id, sessionId: session.id, url: session.url, expiresAt: session.expiresAt, now: new Date() },
    );
  }

  /** Forgets a pending checkout whose provider call failed: no record of what was never made. */
  async release(id: string, tx: Tx): Promise<void> {
    await this.db.execute(`DELETE FROM checkout_sessions WHERE id = :id AND status = 'pending'`, { id }, tx);
  }

  /**
   * Ends an open checkout: one whose time is up (`onlyIfPastExpiry`), or one the provider has just
   * expired. True when this call changed it.
   */
  async expire(id: string, options: { onlyIfPastExpiry: boolean }, tx: Tx): Promise<boolean> {
    const now = new Date();
    const changed = await this.db.execute(
      `UPDATE checkout_sessions SET status = 'expired', updated_at = :now
        WHERE id = :id AND status = 'open' ${options.onlyIfPastExpiry ? 'AND expires_at <= :now' : ''}`,
      { id, now },
      tx,
    );
    return changed === 1;
  }

  /** Moves a checkout to complete or expired by the provider's session id; its id when found. */
  async finishByProviderSessionId(
    provider: string,
    providerSessionId: string,
    status: Extract<CheckoutStatus, 'complete' | 'expired'>,
    tx: Tx,
  ): Promise<{ id: string; accountId: string } | undefined> {
    return this.db.one<{ id: string; accountId: string }>(
      `UPDATE checkout_sessions SET status = :status, lease_until = NULL, updated_at = :now
        WHERE provider = :provider AND provider_session_id = :providerSessionId
          AND status IN ('pending', 'open')
        RETURNING id, account_id AS "accountId"`,
      { provider, providerSessionId, status, now: new Date() },
      tx,
    );
  }
}

function toActive(row: Record<string, unknown>): ActiveCheckout {
  return {
    id: String(row.checkout_id),
    status: row.status as ActiveCheckout['status'],
    requestHash: (row.request_hash as string | null) ?? null,
    providerSessionId: (row.provider_session_id as string | null) ?? null,
    url: (row.url as string | null) ?? null,
    trialDays: row.trial_days === null || row.trial_days === undefined ? null : Number(row.trial_days),
    expiresAt: toDate(row.expires_at)!,
    leaseUntil: toDate(row.lease_until),
  };
}
