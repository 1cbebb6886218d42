import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../src/database/database';
import { sqliteFileDatabase } from './support/database';
import { adminCli, LogLine, parseLogLines, sleep, stopProcess } from './support/process-helpers';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { APP_ORIGIN, startTestApp, TestApp } from './support/test-app';

/**
 * The SQLite file of a running service made immutable (`chattr +i`, as an operator, a backup tool
 * or a read-only remount may do): a write the service can no longer make must be a 503, not the
 * death of the process. In WAL mode SQLite maps the `-shm` wal-index into memory and writes to it
 * on every transaction; a write fault on a page of an immutable file is answered by the kernel
 * with SIGBUS, which kills Node before it can log anything. Without memory-mapped files the same
 * failure is an error code (SQLITE_IOERR_WRITE) the service can answer.
 *
 * Needs root (CAP_LINUX_IMMUTABLE) and a temporary directory on a filesystem with the immutable
 * attribute (ext4, xfs, btrfs); anywhere else it fails, saying so.
 */

const DATABASE_SUFFIXES = ['', '-journal', '-wal', '-shm'];
const RECOVERY_BOUND_MS = 5_000;

const chattr = (flag: '+i' | '-i', path: string) => execFileSync('chattr', [flag, path], { stdio: 'pipe' });

/** Throws, with the reason, unless `chattr +i` makes a file in `dir` refuse writes. */
function assertChattrWorks(dir: string): void {
  const probe = join(dir, 'chattr-probe');
  writeFileSync(probe, 'probe');
  try {
    chattr('+i', probe);
    let refused = false;
    try {
      appendFileSync(probe, 'more');
    } catch (error) {
      refused = (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!refused) throw new Error('a file with the immutable attribute still took a write');
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    throw new Error(
      `chattr +i does not work in ${dir}: ${detail}. This test needs root and a temporary directory ` +
        'on a filesystem with the immutable attribute (ext4, xfs, btrfs); set TMPDIR to one.',
      { cause: error },
    );
  } finally {
    try {
      chattr('-i', probe);
    } catch {
      // it never became immutable
    }
    rmSync(probe, { force: true });
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  /** Why no answer came (the connection failed), when status is 0. */
  failure?: string;
}

async function send(
  service: ServiceProcess,
  method: 'GET' | 'POST',
  path: string,
  options: { apiKey?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the failure message
    }
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: 0, headers: new Headers(), body: undefined, failure: cause?.code ?? String(error) };
  }
}

describe('A SQLite file made immutable while the service runs', () => {
  let dir: string;
  let path: string;
  let service: ServiceProcess | undefined;
  /** `warm` writes before the files become immutable; `writer` tries to while they are. */
  const keys: Record<'warm' | 'writer', { accountId: string; apiKey: string }> = {} as never;
  /** The lines of /proc/<pid>/maps that name a file of the database, before anything was made immutable. */
  let mappedDatabaseFiles: string[] = [];
  const immutable: string[] = [];

  const release = () => {
    for (const file of immutable.splice(0)) chattr('-i', file);
  };

  /** How the process stands: null while it runs, else how it ended (and what it wrote last). */
  const ended = () => {
    const child = service!.child;
    if (child.exitCode === null && child.signalCode === null) return null;
    return { exitCode: child.exitCode, signal: child.signalCode, lastOutput: service!.output().slice(-500) };
  };

  const startSession = (apiKey: string) =>
    send(service!, 'POST', '/api/subscriptions/sessions', {
      apiKey,
      body: { successUrl: `${APP_ORIGIN}/welcome` },
    });

  const checkoutsOf = (accountId: string) => {
    const db = new BetterSqlite3(path, { readonly: true, timeout: 5_000 });
    try {
      return db.prepare('SELECT status FROM checkout_sessions WHERE account_id = ?').all(accountId);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'billing-immutable-'));
    assertChattrWorks(dir);
    path = join(dir, 'billing.sqlite');
    const env = {
      DATABASE_URL: `sqlite:${path}`,
      PAYMENT_PROVIDER: 'sandbox',
      ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN,
      RATE_LIMIT_PER_MINUTE: '100000',
    };
    service = await startServiceProcess(env);
    // The admin command line opens the same file while the service runs, as an operator does.
    await Promise.all(
      (['warm', 'writer'] as const).map(async (name) => {
        const account = await adminCli(['accounts:create', '--name', name], env);
        const accountId = String(account.result?.accountId);
        const key = await adminCli(['api-keys:create', '--account', accountId], env);
        if (key.code !== 0) throw new Error(`admin CLI failed: ${account.stderr}${key.stderr}`);
        keys[name] = { accountId, apiKey: String(key.result!.apiKey) };
      }),
    );
    const warm = await startSession(keys.warm.apiKey);
    expect(warm.status).toBe(200);
    mappedDatabaseFiles = readFileSync(`/proc/${service.child.pid}/maps`, 'utf8')
      .split('\n')
      .filter((line) => line.includes(path));
  }, 90_000);

  afterAll(async () => {
    try {
      release();
    } finally {
      try {
        // Also when the process is gone already (killed by a signal).
        if (service) await stopProcess(service.child, 'SIGKILL', 5_000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('should map no file of the database into memory', () => {
    expect(mappedDatabaseFiles).toEqual([]);
  });

  describe('while every file of the database is immutable', () => {
    let session: Answer;
    let checkout: Answer;
    let health: Answer;

    beforeAll(async () => {
      for (const suffix of DATABASE_SUFFIXES) {
        const file = `${path}${suffix}`;
        if (!existsSync(file)) continue;
        chattr('+i', file);
        immutable.push(file);
      }
      expect(immutable).toContain(path);
      session = await startSession(keys.writer.apiKey);
      checkout = await send(service!, 'POST', '/api/billing/checkout', {
        apiKey: keys.writer.apiKey,
        body: {
          priceId: 'price_sandbox_yearly',
          successUrl: `${APP_ORIGIN}/welcome`,
          cancelUrl: `${APP_ORIGIN}/pricing`,
        },
      });
      health = await send(service!, 'GET', '/health');
    });

    afterAll(() => release());

    it('should stay alive', () => {
      expect(ended()).toBeNull();
    });

    it('should answer POST /api/subscriptions/sessions with 503 {error} and Retry-After', () => {
      expect({ status: session.status, body: session.body, failure: session.failure }).toEqual({
        status: 503,
        body: { error: expect.any(String) },
        failure: undefined,
      });
      expect(session.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    });

    it('should answer POST /api/billing/checkout with 503 UNAVAILABLE in its envelope and Retry-After', () => {
      expect({ status: checkout.status, body: checkout.body, failure: checkout.failure }).toEqual({
        status: 503,
        body: { success: false, error: { code: 'UNAVAILABLE', message: expect.any(String) } },
        failure: undefined,
      });
      expect(checkout.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    });

    it('should answer GET /health with 503 and name the database as not writable', () => {
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({
        status: 'error',
        error: { database: { status: 'down', writable: false } },
      });
    });

    it('should log why, with the storage error', () => {
      const failures = parseLogLines(service!.output()).filter(
        (line): line is LogLine => typeof line !== 'string' && line.level >= 50,
      );

      expect(failures.length).toBeGreaterThan(0);
      expect(JSON.stringify(failures)).toMatch(/SQLITE_(IOERR|READONLY|CANTOPEN)/);
    });
  });

  describe('once the files may be written again', () => {
    it('should be ready again by itself, having written nothing meanwhile, and take writes', async () => {
      release();
      const deadline = Date.now() + RECOVERY_BOUND_MS;
      let health = await send(service!, 'GET', '/health');
      while (health.status !== 200 && Date.now() < deadline && ended() === null) {
        await sleep(100);
        health = await send(service!, 'GET', '/health');
      }

      expect(ended()).toBeNull();
      expect(health.status).toBe(200);
      expect(checkoutsOf(keys.writer.accountId)).toEqual([]);
      const session = await startSession(keys.writer.apiKey);
      expect(session.status).toBe(200);
      expect(checkoutsOf(keys.writer.accountId)).toEqual([{ status: 'open' }]);
    });
  });
});

describe(`${Database.name} on SQLite after the disk refused a commit`, () => {
  const database = sqliteFileDatabase();
  let sut: TestApp;
  let immutable = false;

  /** What another connection sees: what was committed. */
  const committed = () => {
    const other = new BetterSqlite3(database.path, { readonly: true, timeout: 5_000 });
    try {
      return other.prepare('SELECT note FROM tx_notes ORDER BY note').pluck().all();
    } finally {
      other.close();
    }
  };
  const insert = (note: string) =>
    sut.db.transaction((tx) => sut.db.changes(sql`INSERT INTO tx_notes (note) VALUES (${note})`, tx));

  beforeAll(async () => {
    assertChattrWorks(tmpdir());
    sut = await startTestApp({}, { database });
    await sut.db.changes(sql`CREATE TABLE tx_notes (note TEXT)`);
    await insert('before');
    // SQLite rolls the transaction back by itself when its commit cannot be written.
    chattr('+i', database.path);
    immutable = true;
    await expect(insert('refused')).rejects.toMatchObject({ code: 'UNAVAILABLE', reason: 'io-error' });
    chattr('-i', database.path);
    immutable = false;
  });

  afterAll(async () => {
    if (immutable) chattr('-i', database.path);
    await sut?.close();
    await database.drop();
  });

  it('should commit the next transactions, also after one that rolled back', async () => {
    await insert('after');
    await expect(
      sut.db.transaction(async (tx) => {
        await sut.db.changes(sql`INSERT INTO tx_notes (note) VALUES (${'rolled back'})`, tx);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    await insert('last');

    expect(committed()).toEqual(['after', 'before', 'last']);
  });
});
