import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database, toDate } from '../database/database';
import { Account } from './account.entity';
import { ApiKey } from './api-key.entity';
import { API_KEY_REVOKED_CHANNEL } from './api-key-revocations';

/** A key and what authentication needs of its account. */
export type ApiKeyCredential = Pick<
  ApiKey,
  'id' | 'accountId' | 'secretHash' | 'scopes' | 'expiresAt' | 'revokedAt'
> &
  Pick<Account, 'platformAdmin'>;

/** A key as the admin command line lists it: never its secret, nor the secret's hash. */
export interface ApiKeyListing {
  id: string;
  accountId: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  async create(input: {
    id: string;
    accountId: string;
    secretHash: string;
    scopes: string;
    expiresAt: Date | null;
  }): Promise<void> {
    await this.db.changes(
      sql`INSERT INTO api_keys (id, account_id, secret_hash, scopes, created_at, expires_at)
          VALUES (${input.id}, ${input.accountId}, ${input.secretHash}, ${input.scopes}, ${new Date()},
                  ${input.expiresAt})`,
    );
  }

  /** Every key, or every key of one account, oldest first. */
  async list(accountId?: string): Promise<ApiKeyListing[]> {
    const where = accountId === undefined ? sql`` : sql`WHERE account_id = ${accountId}`;
    const rows = await this.db.rows(
      sql<Pick<ApiKey, 'id' | 'accountId' | 'scopes' | 'createdAt' | 'expiresAt' | 'revokedAt'>>`
        SELECT id, account_id, scopes, created_at, expires_at, revoked_at
          FROM api_keys ${where} ORDER BY created_at, id`,
    );
    return rows.map((row) => ({
      id: row.id,
      accountId: row.accountId,
      scopes: (row.scopes ?? '').split(' ').filter(Boolean),
      createdAt: toDate(row.createdAt)!,
      expiresAt: toDate(row.expiresAt),
      revokedAt: toDate(row.revokedAt),
    }));
  }

  /** The key and what authentication needs of its account, in one round trip. */
  async findCredential(id: string): Promise<ApiKeyCredential | null> {
    const row = await this.db.first(
      sql<ApiKeyCredential>`SELECT k.id, k.account_id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at,
                                   a.platform_admin
                              FROM api_keys k JOIN accounts a ON a.id = k.account_id
                             WHERE k.id = ${id}`,
    );
    return row ? { ...row, scopes: row.scopes ?? '' } : null;
  }

  /**
   * Revokes the key; on PostgreSQL every instance hears of it at once (NOTIFY). The notification
   * is part of the revoking transaction, so the two commit together: a listener that has heard
   * everything committed up to some moment has heard of every key revoked before it.
   */
  async revoke(id: string): Promise<boolean> {
    const changed = await this.db.transaction(async (tx) => {
      const rows = await this.db.changes(
        sql`UPDATE api_keys SET revoked_at = ${new Date()} WHERE id = ${id} AND revoked_at IS NULL`,
        tx,
      );
      if (this.db.dialect === 'postgres') {
        await this.db.rows(sql`SELECT pg_notify(${API_KEY_REVOKED_CHANNEL}, ${id})`, tx);
      }
      return rows;
    });
    return changed === 1;
  }
}
