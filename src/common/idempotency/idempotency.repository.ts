import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database } from '../../database/database';
import { IdempotencyRecord } from './idempotency-record.entity';

export type IdempotencyEntry = Pick<
  IdempotencyRecord,
  'requestHash' | 'responseStatus' | 'responseBody' | 'leaseUntil' | 'expiresAt'
>;

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly db: Database) {}

  /** Claims the key for a request; false when the account used the key before. */
  async claim(accountId: string, key: string, requestHash: string, leaseUntil: Date, expiresAt: Date) {
    const row = await this.db.first(
      sql`INSERT INTO idempotency_keys (account_id, key, request_hash, lease_until, created_at, expires_at)
          VALUES (${accountId}, ${key}, ${requestHash}, ${leaseUntil}, ${new Date()}, ${expiresAt})
          ON CONFLICT DO NOTHING RETURNING key`,
    );
    return row !== undefined;
  }

  async find(accountId: string, key: string): Promise<IdempotencyEntry | null> {
    const row = await this.db.first(
      sql<IdempotencyEntry>`SELECT request_hash, response_status, response_body, lease_until, expires_at
                              FROM idempotency_keys WHERE account_id = ${accountId} AND key = ${key}`,
    );
    return row
      ? { ...row, responseStatus: row.responseStatus === null ? null : Number(row.responseStatus) }
      : null;
  }

  async complete(accountId: string, key: string, status: number, body: string): Promise<void> {
    await this.db.changes(
      sql`UPDATE idempotency_keys SET response_status = ${status}, response_body = ${body}, lease_until = NULL
           WHERE account_id = ${accountId} AND key = ${key}`,
    );
  }

  /** Takes over a claim whose request died (its lease ran out); true when this call won. */
  async takeOver(accountId: string, key: string, expiredLease: Date, leaseUntil: Date): Promise<boolean> {
    const changed = await this.db.changes(
      sql`UPDATE idempotency_keys SET lease_until = ${leaseUntil}
           WHERE account_id = ${accountId} AND key = ${key} AND response_status IS NULL
             AND lease_until = ${expiredLease}`,
    );
    return changed === 1;
  }

  /** Frees a key: after a failed request (so that it can be retried), or when it has expired. */
  async release(accountId: string, key: string, onlyIf: { unanswered?: boolean; expiredBy?: Date } = {}) {
    await this.db.changes(
      sql`DELETE FROM idempotency_keys WHERE account_id = ${accountId} AND key = ${key}
          ${onlyIf.unanswered ? sql`AND response_status IS NULL` : sql``}
          ${onlyIf.expiredBy ? sql`AND expires_at <= ${onlyIf.expiredBy}` : sql``}`,
    );
  }

  /** Drops answers older than 24 hours; returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    return this.db.changes(sql`DELETE FROM idempotency_keys WHERE expires_at <= ${now}`);
  }
}
