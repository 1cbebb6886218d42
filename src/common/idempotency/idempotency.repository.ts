import { Injectable } from '@nestjs/common';
import { Db, toDate } from '../../database/db.service';

export interface IdempotencyEntry {
  requestHash: string;
  responseStatus: number | null;
  responseBody: string | null;
  leaseUntil: Date | null;
  expiresAt: Date;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  /** Claims the key for a request; false when the account used the key before. */
  async claim(accountId: string, key: string, requestHash: string, leaseUntil: Date, expiresAt: Date) {
    const row = await this.db.one(
      `INSERT INTO idempotency_keys (account_id, key, request_hash, lease_until, created_at, expires_at)
       VALUES (:accountId, :key, :requestHash, :leaseUntil, :now, :expiresAt)
       ON CONFLICT DO NOTHING RETURNING key`,
      { accountId, key, requestHash, leaseUntil, expiresAt, now: new Date() },
    );
    return row !== undefined;
  }

  async find(accountId: string, key: string): Promise<IdempotencyEntry | null> {
    const row = await this.db.one<Record<string, unknown>>(
      `SELECT request_hash, response_status, response_body, lease_until, expires_at
         FROM idempotency_keys WHERE account_id = :accountId AND key = :key`,
      { accountId, key },
    );
    if (!row) return null;
    return {
      requestHash: String(row.request_hash),
      responseStatus: row.response_status === null ? null : Number(row.response_status),
      responseBody: (row.response_body as string | null) ?? null,
      leaseUntil: toDate(row.lease_until),
      expiresAt: toDate(row.expires_at)!,
    };
  }

  async complete(accountId: string, key: string, status: number, body: string): Promise<void> {
    await this.db.execute(
      `UPDATE idempotency_keys SET response_status = :status, response_body = :body, lease_until = NULL
        WHERE account_id = :accountId AND key = :key`,
      { accountId, key, status, body },
    );
  }

  /** Takes over a claim whose request died (its lease ran out); true when this call won. */
  async takeOver(accountId: string, key: string, expiredLease: Date, leaseUntil: Date): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE idempotency_keys SET lease_until = :leaseUntil
        WHERE account_id = :accountId AND key = :key AND response_status IS NULL AND lease_until = :expiredLease`,
      { accountId, key, expiredLease, leaseUntil },
    );
    return changed === 1;
  }

  /** Frees a key: after a failed request (so that it can be retried), or when it has expired. */
  async release(accountId: string, key: string, onlyIf: { unanswered?: boolean; expiredBy?: Date } = {}) {
    await this.db.execute(
      `DELETE FROM idempotency_keys WHERE account_id = :accountId AND key = :key
        ${onlyIf.unanswered ? 'AND response_status IS NULL' : ''}
        ${onlyIf.expiredBy ? 'AND expires_at <= :expiredBy' : ''}`,
      { accountId, key, expiredBy: onlyIf.expiredBy ?? null },
    );
  }

  /** Drops answers older than 24 hours; returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    return this.db.execute('DELETE FROM idempotency_keys WHERE expires_at <= :now', { now });
  }
}
