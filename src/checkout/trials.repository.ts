import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database, Transaction } from '../database/database';

/**
 * The account's one trial, ever (docs/guarantees.md#g3): taken by the checkout that offers it
 * (accounts.trial_checkout_id), given back when that checkout ends without a subscription, used
 * up for good when a subscription with a trial is recorded. The only place that changes it.
 */
@Injectable()
export class TrialsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Takes the account's one trial for a checkout. True when the checkout holds it: taken now, or
   * taken by this same checkout before (a request that took a checkout over settles it again).
   */
  async claim(accountId: string, checkoutId: string): Promise<boolean> {
    const changed = await this.db.changes(
      sql`UPDATE accounts SET trial_claimed_at = COALESCE(trial_claimed_at, ${new Date()}),
                              trial_checkout_id = ${checkoutId}
           WHERE id = ${accountId} AND (trial_claimed_at IS NULL OR trial_checkout_id = ${checkoutId})`,
    );
    return changed === 1;
  }

  /** Gives the trial back when the checkout holding it ended without a subscription. */
  async release(checkoutId: string, tx?: Transaction): Promise<void> {
    await this.db.changes(
      sql`UPDATE accounts SET trial_claimed_at = NULL, trial_checkout_id = NULL
           WHERE trial_checkout_id = ${checkoutId}`,
      tx,
    );
  }

  /** A subscription with a trial exists: the account's trial is used for good. */
  async consume(accountId: string, tx?: Transaction): Promise<void> {
    await this.db.changes(
      sql`UPDATE accounts SET trial_claimed_at = COALESCE(trial_claimed_at, ${new Date()}), trial_checkout_id = NULL
           WHERE id = ${accountId}`,
      tx,
    );
  }
}
