import { Injectable } from '@nestjs/common';
import { Db, toBoolean, toDate } from '../database/db.service';
import { API_KEY_REVOKED_CHANNEL } from './api-key-revocations';

export interface ApiKeyCredential {
  id: string;
  accountId: string;
  secretHash: string;
  scopes: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  platformAdmin: boolean;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Db) {}

  async create(input: {
    id: string;
    accountId: string;
    secretHash: string;
    scopes: string;
    expiresAt: Date | null;
  }): Promise<void> {
    await this.db.execute(
      `INSERT INTO api_keys (id, account_id, secret_hash, scopes, created_at, expires_at)
       VALUES (:id, :accountId, :secretHash, :scopes, :now, :expiresAt)`,
      { ...input, now: new Date() },
    );
  }

  /** The key and what authentication needs of its account, in one round trip. */
  async findCredential(id: string): Promise<ApiKeyCredential | null> {
    const row = await this.db.one<Record<string, unknown>>(
      `SELECT k.id, k.account_id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at, a.platform_admin
         FROM api_keys k JOIN accounts a ON a.id = k.account_id
        WHERE k.id = :id`,
      { id },
    );
    if (!row) return null;
    return {
      id: String(row.id),
      accountId: String(row.account_id),
      secretHash: String(row.secret_hash),
      scopes: typeof row.scopes === 'string' ? row.scopes : '',
      expiresAt: toDate(row.expires_at),
      revokedAt: toDate(row.revoked_at),
      platformAdmin: toBoolean(row.platform_admin),
    };
  }

  /**
   * Revokes the key; on PostgreSQL every instance hears of it at once (NOTIFY). The notification
   * is part of the revoking transaction, so the two commit together: a listener that has heard
   * everything committed up to some moment has heard of every key revoked before it.
   */
  async revoke(id: string): Promise<boolean> {
    const changed = await this.db.transaction(async (tx) => {
      const rows = await this.db.execute(
        'UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL',
        { id, now: new Date() },
        tx,
      );
      if (this.db.dialect === 'postgres') {
        await this.db.query('SELECT pg_notify(:channel, :id)', { channel: API_KEY_REVOKED_CHANNEL, id }, tx);
      }
      return rows;
    });
    return changed === 1;
  }
}
