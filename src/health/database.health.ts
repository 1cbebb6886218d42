import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { randomUUID } from 'node:crypto';
import { DatabaseUnavailableReason } from '../common/errors/domain-errors';
import { sql } from 'kysely';
import { Database } from '../database/database';
import { unavailableReason } from '../database/database-errors';

/** How long a health check waits for the database. */
const PROBE_TIMEOUT_MS = 1_500;

/**
 * Filler in the probe's row. The new row is written before the previous one is deleted, so on
 * SQLite writing it needs this much free room besides what the previous row holds: a database
 * that cannot grow by that much reports itself not writable, not only a disk without room for the
 * journal. It is more than one request writes (a checkout with the largest metadata is ~26 kB).
 */
const PROBE_PAYLOAD = '.'.repeat(32 * 1024);

const NOT_WRITABLE: Record<DatabaseUnavailableReason | 'timeout' | 'other', string> = {
  connection: 'The database cannot be reached',
  timeout: 'The database did not answer in time',
  full: 'The database is full',
  'read-only': 'The database is read-only',
  'io-error': 'The database cannot write to its storage',
  'out-of-resources': 'The database is out of resources',
  other: 'The database does not take writes',
};

type ProbeOutcome =
  { writable: true } | { writable: false; reason: keyof typeof NOT_WRITABLE; error?: unknown };

/**
 * Readiness of the database: that it answers is not enough (a full disk or a read-only file still
 * answers a SELECT), so each check commits a real write, a fresh row in `health_probes` with the
 * previous rows deleted in the same transaction. Checks that arrive while one runs share it.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger('Health');
  private running?: Promise<ProbeOutcome>;
  private lastWritable = true;

  constructor(
    private readonly db: Database,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const outcome = await this.probe();
    if (outcome.writable !== this.lastWritable) {
      this.lastWritable = outcome.writable;
      if (outcome.writable) this.logger.log('the database takes writes again');
      else
        this.logger.warn({ err: outcome.error, reason: outcome.reason }, 'the database does not take writes');
    }
    if (outcome.writable) return indicator.up({ writable: true });
    return indicator.down({ writable: false, message: NOT_WRITABLE[outcome.reason] });
  }

  private async probe(): Promise<ProbeOutcome> {
    this.running ??= this.write().finally(() => (this.running = undefined));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ProbeOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ writable: false, reason: 'timeout' }), PROBE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.running, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async write(): Promise<ProbeOutcome> {
    const id = randomUUID();
    try {
      await this.db.transaction(async (tx) => {
        await this.db.changes(
          sql`INSERT INTO health_probes (id, written_at, payload) VALUES (${id}, ${new Date()}, ${PROBE_PAYLOAD})`,
          tx,
        );
        await this.db.changes(sql`DELETE FROM health_probes WHERE id <> ${id}`, tx);
      });
      return { writable: true };
    } catch (error) {
      return { writable: false, reason: unavailableReason(error) ?? 'other', error };
    }
  }
}
