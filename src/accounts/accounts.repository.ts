import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { Database, toBoolean, toDate } from '../database/database';
import { Account } from './account.entity';

/** An account as the service reads it (every column but the trial's checkout). */
export type AccountRecord = Omit<Account, 'trialCheckoutId' | 'createdAt' | 'eventSequence'>;

/** An account as the admin command line lists it. */
export type AccountListing = Pick<
  Account,
  'id' | 'name' | 'email' | 'externalId' | 'platformAdmin' | 'createdAt'
>;

const COLUMNS = sql.raw('id, name, email, external_id, platform_admin, trial_claimed_at');

@Injectable()
export class AccountsRepository {
  constructor(private readonly db: Database) {}

  async create(input: {
    name: string;
    email: string | null;
    externalId: string | null;
    platformAdmin: boolean;
  }): Promise<AccountRecord> {
    const row = await this.db.first(
      sql<AccountRecord>`INSERT INTO accounts (id, name, email, external_id, platform_admin, created_at)
       VALUES (${randomUUID()}, ${input.name}, ${input.email}, ${input.externalId}, ${input.platformAdmin}, ${new Date()})
       RETURNING ${COLUMNS}`,
    );
    return row!;
  }

  async findById(id: string): Promise<AccountRecord | null> {
    return (
      (await this.db.first(sql<AccountRecord>`SELECT ${COLUMNS} FROM accounts WHERE id = ${id}`)) ?? null
    );
  }

  async findByExternalId(externalId: string): Promise<AccountRecord | null> {
    const row = await this.db.first(
      sql<AccountRecord>`SELECT ${COLUMNS} FROM accounts WHERE external_id = ${externalId}`,
    );
    return row ?? null;
  }

  /** Every account, oldest first. */
  async list(): Promise<AccountListing[]> {
    const rows = await this.db.rows(
      sql<AccountListing>`SELECT id, name, email, external_id, platform_admin, created_at
                            FROM accounts ORDER BY created_at, id`,
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      email: row.email,
      externalId: row.externalId,
      platformAdmin: toBoolean(row.platformAdmin),
      createdAt: toDate(row.createdAt)!,
    }));
  }

  /** Whether the target exists, and whether the admin account holds a grant on it: one round trip. */
  async findOverrideTarget(adminAccountId: string, accountId: string): Promise<{ granted: boolean } | null> {
    const row = await this.db.first(
      sql<{ granted: unknown }>`SELECT CASE WHEN EXISTS (
                SELECT 1 FROM account_grants g
                 WHERE g.admin_account_id = ${adminAccountId} AND g.account_id = a.id
              ) THEN 1 ELSE 0 END AS granted
         FROM accounts a WHERE a.id = ${accountId}`,
    );
    return row ? { granted: toBoolean(row.granted) } : null;
  }

  async addGrant(adminAccountId: string, accountId: string): Promise<{ id: string; created: boolean }> {
    const inserted = await this.db.first(
      sql<{ id: string }>`INSERT INTO account_grants (id, admin_account_id, account_id, created_at)
       VALUES (${randomUUID()}, ${adminAccountId}, ${accountId}, ${new Date()})
       ON CONFLICT DO NOTHING RETURNING id`,
    );
    if (inserted) return { id: inserted.id, created: true };
    const existing = await this.db.first(
      sql<{ id: string }>`SELECT id FROM account_grants
        WHERE admin_account_id = ${adminAccountId} AND account_id = ${accountId}`,
    );
    return { id: existing!.id, created: false };
  }
}
