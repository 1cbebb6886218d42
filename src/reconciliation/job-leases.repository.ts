import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database } from '../database/database';

/**
 * Leases on named jobs in the shared database: one holder at a time, whichever instance or
 * command asks first; a holder that dies loses the job when its lease runs out.
 */
@Injectable()
export class JobLeasesRepository {
  constructor(private readonly db: Database) {}

  /**
   * Takes the job for `holder` until `leaseUntil` unless someone holds it; with `finishedBefore`,
   * only when its last round finished no later than that (a round is due). True when taken.
   */
  async take(
    name: string,
    holder: string,
    leaseUntil: Date,
    options: { now: Date; finishedBefore?: Date },
  ): Promise<boolean> {
    // One statement, so that of instances asking at once exactly one gets it (on PostgreSQL the
    // row lock makes the others re-read the updated lease, and their condition fails).
    const due = options.finishedBefore
      ? sql`AND (job_leases.last_finished_at IS NULL OR job_leases.last_finished_at <= ${options.finishedBefore})`
      : sql``;
    const taken = await this.db.first(
      sql`INSERT INTO job_leases (name, holder, lease_until, last_finished_at)
          VALUES (${name}, ${holder}, ${leaseUntil}, NULL)
          ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
           WHERE (job_leases.lease_until IS NULL OR job_leases.lease_until < ${options.now}) ${due}
          RETURNING name`,
    );
    return taken !== undefined;
  }

  /** Extends the holder's lease; false when it no longer holds the job (its lease ran out and was taken). */
  async renew(name: string, holder: string, leaseUntil: Date): Promise<boolean> {
    const changed = await this.db.changes(
      sql`UPDATE job_leases SET lease_until = ${leaseUntil} WHERE name = ${name} AND holder = ${holder}`,
    );
    return changed === 1;
  }

  /** Lets go of the job; `finishedAt` records a finished round (null: it did not finish). */
  async release(name: string, holder: string, finishedAt: Date | null): Promise<void> {
    const finished = finishedAt ? sql`, last_finished_at = ${finishedAt}` : sql``;
    await this.db.changes(
      sql`UPDATE job_leases SET holder = NULL, lease_until = NULL ${finished}
           WHERE name = ${name} AND holder = ${holder}`,
    );
  }
}
