import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { startTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

async function node(script: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', '@swc-node/register', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('Starting the service', () => {
  it('should refuse a bad configuration with one message naming every bad variable', async () => {
    const result = await node('src/main.ts', {
      PORT: 'http',
      PAYMENT_PROVIDER: 'paypal',
      TRIAL_DAYS: '-3',
      ALLOWED_REDIRECT_ORIGINS: 'not-an-origin',
      DATABASE_URL: 'sqlite::memory:',
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Invalid configuration:\n/);
    for (const name of ['PORT', 'PAYMENT_PROVIDER', 'TRIAL_DAYS', 'ALLOWED_REDIRECT_ORIGINS']) {
      expect(result.stderr).toContain(`  - ${name}`);
    }
    expect(result.stdout).toBe('');
  });

  it('should apply the migrations with npm run migration:run (src/database/migrate.ts)', async () => {
    const path = join(tmpdir(), `migrate-${process.pid}-${Date.now()}.sqlite`);
    try {
      const first = await node('src/database/migrate.ts', { DATABASE_URL: `sqlite:${path}` });
      const second = await node('src/database/migrate.ts', { DATABASE_URL: `sqlite:${path}` });

      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual({ applied: true, database: 'better-sqlite3' });
      expect(JSON.parse(second.stdout)).toEqual({ applied: false, database: 'better-sqlite3' });
      const db = new Database(path, { readonly: true });
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as {
        name: string;
      }[];
      db.close();
      expect(tables.map((table) => table.name)).toEqual(
        expect.arrayContaining(['accounts', 'api_keys', 'customers', 'checkout_sessions', 'subscriptions']),
      );
    } finally {
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);
    }
  });
});

describe('CORS from CORS_ORIGINS', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ CORS_ORIGINS: 'https://app.example.com,http://localhost:*' });
  });

  afterAll(() => sut.close());

  const preflight = (origin: string) =>
    sut
      .http()
      .options('/api/subscriptions/sessions')
      .set('origin', origin)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type,x-api-key');

  it('should let the configured origins call the API from a browser', async () => {
    const exact = await preflight('https://app.example.com');
    const anyPort = await preflight('http://localhost:5173');

    expect(exact.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(exact.headers['access-control-allow-headers']).toContain('x-api-key');
    expect(anyPort.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('should not let other origins', async () => {
    const other = await preflight('https://evil.example.net');
    const lookalike = await preflight('https://app.example.com.evil.net');

    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();
  });
});
