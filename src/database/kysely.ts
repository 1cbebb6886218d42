import { createHash } from 'node:crypto';
import {
  CamelCasePlugin,
  CompiledQuery,
  DatabaseConnection,
  Driver,
  Kysely,
  KyselyPlugin,
  OperationNodeTransformer,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  PostgresDialect,
  PostgresPool,
  PostgresPoolClient,
  PrimitiveValueListNode,
  QueryResult,
  RootOperationNode,
  SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  UnknownRow,
  ValueNode,
} from 'kysely';
import { Pool, PoolConfig } from 'pg';
import type { PoolUsage } from './database';
import { Tables, typedColumns } from './tables';

/**
 * Kysely for the service's two databases. What is configured here, and why, each through
 * Kysely's and the drivers' public interfaces:
 * - rows come back with camelCase keys, as the entities name the columns;
 * - PostgreSQL: statements are named prepared statements (parsed and planned once per connection)
 *   unless turned off, which a PgBouncer in transaction mode before 1.21 needs; a connection that
 *   fails while a request holds it is closed instead of handed back to the pool;
 * - SQLite: one connection, which Kysely serialises; transactions begin IMMEDIATE and roll back
 *   only while SQLite still has one open; times and booleans are stored as text and 0/1 and
 *   read back as Date and boolean.
 */

export function createPostgresKysely(
  config: PoolConfig,
  options: { preparedStatements: boolean },
): { kysely: Kysely<Tables>; pool: { usage(): PoolUsage } } {
  const pool = new Pool(config);
  // An idle connection that the server or the network closed: the pool drops it and opens another
  // when one is needed; the failure that matters is answered (503) where a request meets it.
  pool.on('error', () => undefined);
  const dialect = new PostgresDialect({
    pool: new GuardedPool(pool, { prepared: options.preparedStatements }),
  });
  return {
    kysely: new Kysely<Tables>({ dialect, plugins: [new CamelCasePlugin()] }),
    pool: {
      usage: () => ({
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max: pool.options.max,
      }),
    },
  };
}

/** Statement names are derived from the text, once per text. */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** The pg pool as Kysely uses it, with named statements and broken connections thrown away. */
class GuardedPool implements PostgresPool {
  constructor(
    private readonly pool: Pool,
    private readonly statements: { prepared: boolean },
  ) {}

  /** The pool's connection settings, which Kysely reads (it cancels no queries here). */
  get options(): object {
    return this.pool.options;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The pool listens for errors of idle connections only: one that fails while it is checked
    // out emits 'error' on the client, which would otherwise end the process.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    // Kysely's client interface also has a cursor form of query(), which the service never uses
    // (it streams nothing).
    const guarded = {
      query: async <R>(text: string, values: ReadonlyArray<unknown>) => {
        try {
          return this.statements.prepared
            ? await client.query<R & object>({
                name: statementName(text),
                text,
                values: [...values],
              })
            : await client.query<R & object>(text, [...values]);
        } catch (error) {
          if (isBrokenConnection(error)) broken = error as Error;
          throw error;
        }
      },
      release: () => {
        client.off('error', onError);
        client.release(broken);
      },
    };
    return guarded as unknown as PostgresPoolClient;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

function isBrokenConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (
    (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E'))) ||
    /Connection terminated|Query read timeout|connection error/i.test(message)
  );
}

/** An open better-sqlite3 database, as the service's SQLite statements need it. */
export interface SqliteHandle extends SqliteDatabase {
  readonly inTransaction: boolean;
}

export function createSqliteKysely(handle: SqliteHandle): Kysely<Tables> {
  return new Kysely<Tables>({
    dialect: new ServiceSqliteDialect(handle),
    // In this order: results get their camelCase keys before their values are typed.
    plugins: [new CamelCasePlugin(), new SqliteValuesPlugin()],
  });
}

class ServiceSqliteDialect extends SqliteDialect {
  constructor(private readonly handle: SqliteHandle) {
    super({ database: handle });
  }

  override createDriver(): Driver {
    return new ImmediateTransactionsDriver(this.handle);
  }
}

class ImmediateTransactionsDriver extends SqliteDriver {
  constructor(private readonly handle: SqliteHandle) {
    super({ database: handle });
  }

  /**
   * IMMEDIATE: the write lock is taken (or waited for) up front, so that another process's writer
   * (the admin command line) cannot deadlock this one halfway through, which SQLite would answer
   * with SQLITE_BUSY at once.
   */
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * After a COMMIT the disk refused (SQLITE_IOERR, SQLITE_FULL) SQLite has rolled back already;
   * a ROLLBACK then would fail and hide the error that matters.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.handle.inTransaction) await super.rollbackTransaction(connection);
  }

  /** The database belongs to TypeORM's data source, which closes it. */
  override async destroy(): Promise<void> {}
}

/** Times as UTC text (the form the migrations' datetime columns compare by), booleans as 0/1. */
export function toSqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

class SqliteValues extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return { ...super.transformValue(node), value: toSqliteValue(node.value) };
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return { ...super.transformPrimitiveValueList(node), values: node.values.map(toSqliteValue) };
  }
}

class SqliteValuesPlugin implements KyselyPlugin {
  private readonly values = new SqliteValues();
  private readonly columns = typedColumns();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.values.transformNode(args.node);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const { times, booleans } = this.columns;
    for (const row of args.result.rows) {
      for (const key of Object.keys(row)) {
        const value = row[key];
        if (value === null || value === undefined) continue;
        if (times.has(key) && typeof value === 'string') row[key] = sqliteTime(value);
        else if (booleans.has(key) && typeof value === 'number') row[key] = value === 1;
      }
    }
    return Promise.resolve(args.result);
  }
}

function sqliteTime(value: string): Date {
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}
