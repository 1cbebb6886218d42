import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database } from '../database/database';
import { OutboundEventPayload } from './outbox';

/** A place in the feed: after the event at `position` of the transaction `txId`. */
export interface FeedCursor {
  txId: bigint;
  position: number;
}

/** Whose events a reader may see: every account's (a platform admin), or its own and its grants'. */
export type FeedScope = { all: true } | { all: false; adminAccountId: string } | { accountId: string };

/**
 * The pull feed: the outbox's events in one order for every reader. On PostgreSQL, events are
 * ordered by the transaction that wrote them and shown only once every older transaction has
 * ended, so that a reader never passes an event that commits later with an earlier place; on
 * SQLite, which writes one transaction at a time, insertion order is commit order.
 */
@Injectable()
export class EventFeedRepository {
  constructor(private readonly db: Database) {}

  async read(
    scope: FeedScope,
    after: FeedCursor,
    limit: number,
  ): Promise<{ events: OutboundEventPayload[]; cursor: FeedCursor; hasMore: boolean }> {
    const postgres = this.db.dialect === 'postgres';
    const place = postgres
      ? sql`(tx_id > ${String(after.txId)} OR (tx_id = ${String(after.txId)} AND position > ${after.position}))
            AND tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`
      : sql`position > ${after.position}`;
    const whose =
      'accountId' in scope
        ? sql`AND account_id = ${scope.accountId}`
        : scope.all
          ? sql``
          : sql`AND (account_id = ${scope.adminAccountId} OR account_id IN (
                  SELECT g.account_id FROM account_grants g WHERE g.admin_account_id = ${scope.adminAccountId}))`;
    const rows = await this.db.rows(
      sql<{ position: unknown; txId: unknown; payload: string }>`SELECT position, tx_id, payload
         FROM outbound_events WHERE ${place} ${whose}
        ORDER BY ${postgres ? sql`tx_id, position` : sql`position`}
        LIMIT ${limit + 1}`,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map((row) => JSON.parse(row.payload) as OutboundEventPayload),
      cursor: last ? { txId: BigInt(String(last.txId)), position: Number(last.position) } : after,
      hasMore: rows.length > limit,
    };
  }
}

/** Cursors are opaque to readers: `txId.position` in base64url. */
export function encodeCursor(cursor: FeedCursor): string {
  return Buffer.from(`${cursor.txId}.${cursor.position}`).toString('base64url');
}

export function decodeCursor(text: string): FeedCursor | null {
  const match = /^(\d{1,19})\.(\d{1,15})$/.exec(Buffer.from(text, 'base64url').toString());
  if (!match || encodeCursor({ txId: BigInt(match[1]), position: Number(match[2]) }) !== text) return null;
  return { txId: BigInt(match[1]), position: Number(match[2]) };
}

export const FEED_START: FeedCursor = { txId: 0n, position: 0 };
