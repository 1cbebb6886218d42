import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { SubscriptionRecord } from './subscriptions.repository';

/** Accounts whose current subscription is kept (a few hundred bytes each). */
const CACHED_ACCOUNTS = 20_000;

/** The channel a transaction that writes an account's records notifies, with the account's id. */
export const ACCOUNT_CHANGED_CHANNEL = 'billing_account_changed';

interface Read {
  accountId: string;
  stale: boolean;
}

/**
 * Each account's current subscription (what `me` answers) in memory, so that the most frequent
 * call of all needs no database (docs/guarantees.md#g15). Every transaction that writes an
 * account's records opens the account first (the outbox's rule); opening it forgets the account
 * here once the transaction commits, and on PostgreSQL notifies ACCOUNT_CHANGED_CHANNEL in the
 * same transaction, so that every other instance forgets it when the commit is delivered.
 *
 * Used only while coherence is proven: on PostgreSQL, while the LISTEN connection hears its own
 * heartbeats in time (the one the API key cache relies on); never on SQLite, whose reads are
 * in-process anyway and whose file another process (the admin command line) may write. A read
 * that started before a change was forgotten is not kept (it may have read the state before it).
 */
@Injectable()
export class CurrentSubscriptionCache {
  private readonly entries = new LRUCache<string, { record: SubscriptionRecord | null }>({
    max: CACHED_ACCOUNTS,
  });
  /** Reads from the database in progress, so that forgetting an account spoils theirs. */
  private readonly reads = new Set<Read>();
  private trusted: (() => boolean) | null = null;

  /** Trusts the cache while `predicate` holds (the listener hears in time); null: never. */
  trustWhile(predicate: (() => boolean) | null): void {
    this.trusted = predicate;
    this.clear();
  }

  /** The account's current subscription in `mode`, from memory when it can be, else from `load`. */
  async read(
    accountId: string,
    mode: string,
    load: () => Promise<SubscriptionRecord | null>,
  ): Promise<SubscriptionRecord | null> {
    if (!this.trusted?.()) {
      if (this.entries.size > 0) this.clear();
      return load();
    }
    const key = keyOf(accountId, mode);
    const cached = this.entries.get(key);
    if (cached) return cached.record;
    const read: Read = { accountId, stale: false };
    this.reads.add(read);
    try {
      const record = await load();
      if (!read.stale) this.entries.set(key, { record });
      return record;
    } finally {
      this.reads.delete(read);
    }
  }

  /** The account's records changed (committed here, or heard of from another instance). */
  forget(accountId: string): void {
    this.entries.delete(keyOf(accountId, 'live'));
    this.entries.delete(keyOf(accountId, 'test'));
    for (const read of this.reads) if (read.accountId === accountId) read.stale = true;
  }

  /** Everything may have changed unheard (the listener lost its connection). */
  clear(): void {
    this.entries.clear();
    for (const read of this.reads) read.stale = true;
  }

  /** How many accounts are kept (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (accountId: string, mode: string) => `${mode}:${accountId}`;
