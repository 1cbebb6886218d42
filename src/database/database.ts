import { Kysely, RawBuilder, sql, Transaction as KyselyTransaction } from 'kysely';
import { DatabaseUnavailableError } from '../common/errors/domain-errors';
import { unavailableReason } from './database-errors';
import { Dialect } from './portable-columns';
import { Tables } from './tables';

/** A transaction in progress; pass it to repository methods so that they run inside it. */
export type Transaction = KyselyTransaction<Tables>;

/** A statement: hand-written SQL with its values bound by Kysely (`sql\`… ${value} …\``). */
export type Statement<Row> = RawBuilder<Row>;

/** The SQL type a value is cast to where PostgreSQL cannot infer it (see `Database.typed`). */
export type SqlType = 'uuid' | 'varchar' | 'timestamptz' | 'integer' | 'boolean';

/** The connections of the statements' pool, as the PostgreSQL driver counts them. */
export interface PoolUsage {
  /** Open connections, idle or in use. */
  total: number;
  idle: number;
  /** Requests waiting for a connection (all `max` are in use). */
  waiting: number;
  max: number;
}

/**
 * The one way request code talks to the database: hand-written, race-safe statements, whose
 * values Kysely binds for the dialect; transactions; and failures that waiting will clear (no
 * connection, storage that does not take writes) turned into DatabaseUnavailableError (503).
 */
export class Database {
  private readonly commitHooks = new WeakMap<Transaction, Array<() => void>>();

  constructor(
    readonly kysely: Kysely<Tables>,
    readonly dialect: Dialect,
    private readonly pool?: { usage(): PoolUsage },
  ) {}

  /** The pool's connections now; null on SQLite, which has one connection and no pool. */
  poolUsage(): PoolUsage | null {
    return this.pool?.usage() ?? null;
  }

  async rows<Row>(statement: Statement<Row>, tx?: Transaction): Promise<Row[]> {
    return (await this.run(statement, tx)).rows;
  }

  async first<Row>(statement: Statement<Row>, tx?: Transaction): Promise<Row | undefined> {
    return (await this.run(statement, tx)).rows[0];
  }

  /** Runs a statement and answers how many rows it changed. */
  async changes(statement: Statement<unknown>, tx?: Transaction): Promise<number> {
    return Number((await this.run(statement, tx)).numAffectedRows ?? 0);
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    let open: Transaction | undefined;
    let result: T;
    try {
      result = await this.kysely.transaction().execute((tx) => {
        open = tx;
        return work(tx);
      });
    } catch (error) {
      throw translate(error);
    }
    const hooks = open && this.commitHooks.get(open);
    for (const hook of hooks ?? []) hook();
    return result;
  }

  /** Runs `hook` once the transaction has committed (never when it rolls back). */
  afterCommit(tx: Transaction, hook: () => void): void {
    const hooks = this.commitHooks.get(tx);
    if (hooks) hooks.push(hook);
    else this.commitHooks.set(tx, [hook]);
  }

  /**
   * A value of a stated SQL type, for places PostgreSQL cannot infer the type from (the select
   * list of `INSERT … SELECT`): `CAST(value AS type)` there; SQLite takes the value as it is (and
   * would read `CAST(… AS uuid)` as a number).
   */
  typed(value: unknown, type: SqlType): RawBuilder<unknown> {
    return this.dialect === 'postgres' ? sql`CAST(${value} AS ${sql.raw(type)})` : sql`${value}`;
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }

  private async run<Row>(statement: Statement<Row>, tx?: Transaction) {
    try {
      return await statement.execute(tx ?? this.kysely);
    } catch (error) {
      throw translate(error);
    }
  }
}

function translate(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  const reason = unavailableReason(error);
  return reason ? new DatabaseUnavailableError(error, reason) : error;
}

/** Rows from SQLite carry times as text in UTC; PostgreSQL gives Date objects. */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value !== 'string') return null;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
