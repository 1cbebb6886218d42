import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Db, toBoolean, toDate, Tx } from '../database/db.service';

export interface AccountRecord {
  id: string;
  name: string;
  email: string | null;
  externalId: string | null;
  platformAdmin: boolean;
  trialClaimedAt: Date | null;
}

type AccountRow = {
  id: string;
  name: string;
  email: string | null;
  external_id: string | null;
  platform_admin: unknown;
  trial_claimed_at: unknown;
};

const toAccount = (row: AccountRow): AccountRecord => ({
  id: row.id,
  name: row.name,
  email: row.email,
  externalId: row.external_id,
  platformAdmin: toBoolean(row.platform_admin),
  trialClaimedAt: toDate(row.trial_claimed_at),
});

const COLUMNS = 'id, name, email, external_id, platform_admin, trial_claimed_at';

@Injectable()
export class AccountsRepository {
  constructor(private readonly db: Db) {}

  async create(input: {
    name: string;
    email: string | null;
    externalId: string | null;
    platformAdmin: boolean;
  }): Promise<AccountRecord> {
    const [row] = await this.db.query<AccountRow>(
      `INSERT INTO accounts (id, name, email, external_id, platform_admin, created_at)
       VALUES (:id, :name, :email, :externalId, :platformAdmin, :now)
       RETURNING ${COLUMNS}`,
      { id: randomUUID(), ...input, now: new Date() },
    );
    return toAccount(row);
  }

  async findById(id: string): Promise<AccountRecord | null> {
    const row = await this.db.one<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE id = :id`, { id });
    return row ? toAccount(row) : null;
  }

  async findByExternalId(externalId: string): Promise<AccountRecord | null> {
    const row = await this.db.one<AccountRow>(
      `SELECT ${COLUMNS} FROM accounts WHERE external_id = :externalId`,
      {
        externalId,
      },
    );
    return row ? toAccount(row) : null;
  }

  /** Whether the target exists, and whether the admin account holds a grant on it: one round trip. */
  async findOverrideTarget(adminAccountId: string, accountId: string): Promise<{ granted: boolean } | null> {
    const row = await this.db.one<{ granted: unknown }>(
      `SELECT CASE WHEN EXISTS (
                SELECT 1 FROM account_grants g
                 WHERE g.admin_account_id = :adminAccountId AND g.account_id = a.id
              ) THEN 1 ELSE 0 END AS granted
         FROM accounts a WHERE a.id = :accountId`,
      { adminAccountId, accountId },
    );
    return row ? { granted: toBoolean(row.granted) } : null;
  }

  async addGrant(adminAccountId: string, accountId: string): Promise<{ id: string; created: boolean }> {
    const inserted = await this.db.one<{ id: string }>(
      `INSERT INTO account_grants (id, admin_account_id, account_id, created_at)
       VALUES (:id, :adminAccountId, :accountId, :now)
       ON CONFLICT DO NOTHING RETURNING id`,
      { id: randomUUID(), adminAccountId, accountId, now: new Date() },
    );
    if (inserted) return { id: inserted.id, created: true };
    const existing = await this.db.one<{ id: string }>(
      'SELECT id FROM account_grants WHERE admin_account_id = :adminAccountId AND account_id = :accountId',
      { adminAccountId, accountId },
    );
    return { id: existing!.id, created: false };
  }

  /**
   * Takes the account's one trial for a checkout. True when the checkout holds it: taken now, or
   * taken by this same checkout before (a request that took a checkout over settles it again).
   */
  async claimTrial(accountId: string, checkoutId: string): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE accounts SET trial_claimed_at = COALESCE(trial_claimed_at, :now), trial_checkout_id = :checkoutId
        WHERE id = :accountId AND (trial_claimed_at IS NULL OR trial_checkout_id = :checkoutId)`,
      { accountId, checkoutId, now: new Date() },
    );
    return changed === 1;
  }

  /** Gives the trial back when the checkout holding it ended without a subscription. */
  async releaseTrial(checkoutId: string, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE accounts SET trial_claimed_at = NULL, trial_checkout_id = NULL
        WHERE trial_checkout_id = :checkoutId`,
      { checkoutId },
      tx,
    );
  }

  /** A subscription with a trial exists: the account's trial is used for good. */
  async consumeTrial(accountId: string, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE accounts SET trial_claimed_at = COALESCE(trial_claimed_at, :now), trial_checkout_id = NULL
        WHERE id = :accountId`,
      { accountId, now: new Date() },
      tx,
    );
  }
}
