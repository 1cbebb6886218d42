import { execFile } from 'node:child_process';
import { sql } from 'kysely';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TestDatabase } from './support/database';
import { startTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('The admin command line (npm run cli)', () => {
  let database: TestDatabase;

  const cli = async (...args: string[]): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/main.ts', ...args],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH, DATABASE_URL: database.url },
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  const json = (result: CliResult) => JSON.parse(result.stdout) as Record<string, unknown>;

  beforeAll(async () => {
    database = await createTestDatabase({ shared: true });
  });

  afterAll(() => database.drop());

  it('should bootstrap an account and a key that the service accepts, and revoke it', async () => {
    const created = await cli('accounts:create', '--name', 'Acme', '--email', 'billing@acme.test');
    expect(created.code).toBe(0);
    const { accountId } = json(created);
    expect(accountId).toMatch(/^[0-9a-f-]{36}$/);

    const issued = await cli('api-keys:create', '--account', String(accountId));
    expect(issued.code).toBe(0);
    const { apiKey, apiKeyId } = json(issued) as { apiKey: string; apiKeyId: string };
    expect(apiKey).toMatch(/^bsk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);

    let app: TestApp = await startTestApp({}, { database });
    try {
      await app.http().get('/api/subscriptions/me').set('x-api-key', apiKey).expect(200);
      const stored = JSON.stringify(await app.db.rows(sql`SELECT * FROM api_keys`));
      expect(stored).not.toContain(apiKey.slice(37));
      expect(stored).toContain(apiKeyId);
    } finally {
      await app.close();
    }

    const revoked = await cli('api-keys:revoke', '--id', apiKeyId);
    expect(json(revoked)).toEqual({ apiKeyId, revoked: true });

    app = await startTestApp({}, { database });
    try {
      await app.http().get('/api/subscriptions/me').set('x-api-key', apiKey).expect(401);
    } finally {
      await app.close();
    }
  });

  it('should let a grant holder act for the granted account', async () => {
    const admin = json(await cli('accounts:create', '--name', 'Agency'));
    const client = json(await cli('accounts:create', '--name', 'Client'));
    const key = json(await cli('api-keys:create', '--account', String(admin.accountId), '--scope', 'admin'));
    expect(key.scopes).toEqual(['admin']);

    const granted = await cli(
      'grants:add',
      '--admin',
      String(admin.accountId),
      '--account',
      String(client.accountId),
    );
    expect(granted.code).toBe(0);
    expect(json(granted)).toMatchObject({ created: true });

    const app = await startTestApp({}, { database });
    try {
      await app
        .http()
        .get(`/api/subscriptions/me?accountId=${String(client.accountId)}`)
        .set('x-api-key', String(key.apiKey))
        .expect(200);
    } finally {
      await app.close();
    }
  });

  it('should explain a usage mistake on stderr with exit code 2, and a refused command with 1', async () => {
    const usage = await cli('accounts:create');
    const unknown = await cli('accounts:delete', '--name', 'x');
    const refused = await cli('api-keys:create', '--account', '00000000-0000-4000-8000-000000000000');

    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr).error).toContain('--name is required');
    expect(JSON.parse(usage.stderr).error).toContain('Usage: npm run -s cli');
    expect(unknown.code).toBe(2);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toEqual({ error: '--account: no such account' });
    expect(refused.stdout).toBe('');
  });

  it('should print its commands as plain text on --help, and nothing else', async () => {
    const help = await cli('--help');

    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^Usage: npm run -s cli -- <command> \[options\]\n/);
    for (const command of ['accounts:create', 'api-keys:create', 'api-keys:revoke', 'grants:add']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} \\[options\\] +\\S`, 'm'));
    }
    expect(() => JSON.parse(help.stdout)).toThrow();
  });

  it("should print a command's usage, description and options on <command> --help, configured or not", async () => {
    const help = await cli('api-keys:create', '--help');
    const viaHelpCommand = await cli('help', 'api-keys:create');

    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^Usage: npm run -s cli -- api-keys:create \[options\]\n\nCreate an API key/);
    expect(help.stdout).toMatch(/^ {2}--account <id> +the account the key acts as \(required\)$/m);
    expect(help.stdout).toMatch(/^ {2}--scope <scope> +\S/m);
    expect(help.stdout).toMatch(/^ {2}--expires-at <iso-8601> +\S/m);
    expect(viaHelpCommand).toEqual(help);

    // Help needs no database, so a configuration that names none still gets it.
    const unconfigured = await run(
      process.execPath,
      ['-r', '@swc-node/register', 'src/cli/main.ts', '--help'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: 'nowhere' },
      },
    );
    expect(unconfigured.stdout).toContain('Usage: npm run -s cli -- <command> [options]');
  });

  it('should refuse an unknown command or option on stderr, as JSON, with exit code 2 and nothing on stdout', async () => {
    const unknownCommand = await cli('accounts:remove');
    const unknownOption = await cli(
      'api-keys:revoke',
      '--id',
      '00000000-0000-4000-8000-000000000000',
      '--force',
    );
    const stray = await cli('accounts:create', '--name', 'Stray', 'true');
    const none = await cli();

    for (const result of [unknownCommand, unknownOption, stray, none]) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(JSON.parse(unknownCommand.stderr).error).toMatch(
      /^unknown command 'accounts:remove'.*\n\nUsage: npm run -s cli -- <command> \[options\]\n/s,
    );
    expect(JSON.parse(unknownOption.stderr).error).toMatch(
      /^unknown option '--force'\n\nUsage: npm run -s cli -- api-keys:revoke \[options\]\n/,
    );
    expect(JSON.parse(stray.stderr).error).toMatch(/^too many arguments for 'accounts:create'/);
    expect(JSON.parse(none.stderr).error).toMatch(/^no command given\n\nUsage: npm run -s cli -- <command>/);
  });
});
