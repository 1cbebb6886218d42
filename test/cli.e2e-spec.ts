import { execFile } from 'node:child_process';
import { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/load-config';
import { openDatabase } from '../src/database/open-database';
import { createTestDatabase, TestDatabase } from './support/database';
import { startTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Each command is a Node process of its own (about 3 s here, TypeScript compiled on the fly), and
// some tests run nine or more in a row: more than the default 30 s when the machine is busy.
jest.setTimeout(90_000);

describe('The admin command line (npm run cli)', () => {
  let database: TestDatabase;

  const cliWith = async (env: Record<string, string>, ...args: string[]): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/main.ts', ...args],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH, DATABASE_URL: database.url, ...env },
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  const cli = (...args: string[]) => cliWith({}, ...args);
  const secretHashes = async (): Promise<string[]> => {
    const open = await openDatabase(loadConfig({ DATABASE_URL: database.url }).database);
    try {
      const rows = await open.database.rows(sql<{ secretHash: string }>`SELECT secret_hash FROM api_keys`);
      return rows.map((row) => row.secretHash);
    } finally {
      await open.close();
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

  it('should set up an account and a key in one step, with a curl command that opens a checkout with it', async () => {
    // The service as it runs at PUBLIC_URL, on the database the command line writes to.
    const app = await startTestApp({ ALLOWED_REDIRECT_ORIGINS: 'http://127.0.0.1:*' }, { database });
    try {
      await app.app.listen(0, '127.0.0.1');
      const publicUrl = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`;

      const setup = await cliWith(
        { PUBLIC_URL: publicUrl, ALLOWED_REDIRECT_ORIGINS: 'http://127.0.0.1:*' },
        'setup',
        '--name',
        "Newcomer's shop",
        '--email',
        'owner@newcomer.test',
      );

      expect(setup).toMatchObject({ code: 0, stderr: '' });
      const result = JSON.parse(setup.stdout) as Record<string, string>;
      expect(Object.keys(result).sort()).toEqual(['accountId', 'apiKey', 'apiKeyId', 'try']);
      expect(result.apiKey).toMatch(/^bsk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
      expect(result.try).toMatch(new RegExp(`^curl .*'${publicUrl}/api/subscriptions/sessions'`));
      // Back from the checkout, the browser lands on the sandbox's return page.
      expect(result.try).toContain(
        JSON.stringify({
          successUrl: `${publicUrl}/sandbox/return?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        }),
      );
      const accounts = JSON.parse((await cli('accounts:list')).stdout) as Record<string, unknown>[];
      expect(accounts).toContainEqual(
        expect.objectContaining({
          id: result.accountId,
          name: "Newcomer's shop",
          email: 'owner@newcomer.test',
        }),
      );

      const tried = await run('sh', ['-c', result.try], { timeout: 15_000 });
      const session = JSON.parse(tried.stdout) as { id: string; url: string };

      expect(Object.keys(session).sort()).toEqual(['id', 'url']);
      const stored = await app.db.rows(
        sql<{
          accountId: string;
        }>`SELECT account_id FROM checkout_sessions WHERE account_id = ${result.accountId}`,
      );
      expect(stored).toEqual([{ accountId: result.accountId }]);
    } finally {
      await app.close();
    }
  });

  it('should warn on setup when the try command would be refused for its redirect origin', async () => {
    // With Stripe, only ALLOWED_REDIRECT_ORIGINS counts (the sandbox's own origin is not added).
    const setup = await cliWith(
      {
        PUBLIC_URL: 'https://billing.example.com',
        STRIPE_SECRET_KEY: 'sk_test_cli',
        STRIPE_WEBHOOK_SECRET: 'whsec_cli',
        SUBSCRIPTION_PRICE_ID: 'price_cli',
      },
      'setup',
    );

    expect(setup.code).toBe(0);
    expect(json(setup)).toMatchObject({
      try: expect.stringContaining("'https://billing.example.com/api/subscriptions/sessions'"),
      warning: expect.stringMatching(
        /^PUBLIC_URL \(https:\/\/billing\.example\.com\) is not on an allowed redirect origin \(http:\/\/localhost:\*\)/,
      ),
    });
  });

  it('should not warn on setup with the sandbox, whose own origin is always allowed', async () => {
    const setup = await cliWith({ PUBLIC_URL: 'https://billing.example.com' }, 'setup');

    expect(setup.code).toBe(0);
    expect(json(setup)).not.toHaveProperty('warning');
  });

  it("should list accounts and keys, all or one account's, without any secret or hash", async () => {
    const first = json(await cli('accounts:create', '--name', 'Lister', '--platform-admin'));
    const other = json(await cli('accounts:create', '--name', 'Other'));
    const accountId = String(first.accountId);
    const admin = json(await cli('api-keys:create', '--account', accountId, '--scope', 'admin'));
    const plain = json(
      await cli('api-keys:create', '--account', accountId, '--expires-at', '2099-01-01T00:00:00Z'),
    );
    const otherKey = json(await cli('api-keys:create', '--account', String(other.accountId)));
    await cli('api-keys:revoke', '--id', String(plain.apiKeyId));

    const accounts = await cli('accounts:list');
    const keys = await cli('api-keys:list', '--account', accountId);
    const allKeys = await cli('api-keys:list');

    const listed = (JSON.parse(accounts.stdout) as Record<string, unknown>[]).find(
      (row) => row.id === accountId,
    );
    expect(listed).toEqual({
      id: accountId,
      name: 'Lister',
      email: null,
      externalId: null,
      platformAdmin: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const ofAccount = JSON.parse(keys.stdout) as Record<string, unknown>[];
    expect(ofAccount).toEqual([
      {
        id: admin.apiKeyId,
        accountId,
        scopes: ['admin'],
        createdAt: expect.any(String),
        expiresAt: null,
        revokedAt: null,
      },
      {
        id: plain.apiKeyId,
        accountId,
        scopes: [],
        createdAt: expect.any(String),
        expiresAt: '2099-01-01T00:00:00.000Z',
        revokedAt: expect.any(String),
      },
    ]);
    const all = JSON.parse(allKeys.stdout) as Record<string, unknown>[];
    expect(all.map((key) => key.id)).toEqual(
      expect.arrayContaining([admin.apiKeyId, plain.apiKeyId, otherKey.apiKeyId]),
    );
    const hashes = await secretHashes();
    expect(hashes.length).toBeGreaterThanOrEqual(3);
    for (const output of [keys.stdout, allKeys.stdout]) {
      for (const key of [admin, plain, otherKey]) expect(output).not.toContain(String(key.apiKey).slice(37));
      for (const hash of hashes) expect(output).not.toContain(hash);
    }
  });

  it('should refuse api-keys:list for an account that does not exist', async () => {
    const unknown = await cli('api-keys:list', '--account', '00000000-0000-4000-8000-000000000000');

    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toEqual({ error: '--account: no such account' });
    expect(unknown.stdout).toBe('');
  });

  it('should print nothing on stdout but the JSON answer, whatever the command', async () => {
    const setup = await cli('setup');
    const { accountId, apiKeyId } = json(setup);
    const admin = json(await cli('accounts:create', '--name', 'Quiet admin'));
    const results = [
      setup,
      await cli('accounts:create', '--name', 'Quiet'),
      await cli('accounts:list'),
      await cli('api-keys:create', '--account', String(accountId)),
      await cli('api-keys:list'),
      await cli('api-keys:list', '--account', String(accountId)),
      await cli('grants:add', '--admin', String(admin.accountId), '--account', String(accountId)),
      await cli('api-keys:revoke', '--id', String(apiKeyId)),
    ];

    for (const result of results) {
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout.endsWith('}\n') || result.stdout.endsWith(']\n')).toBe(true);
      expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
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
    for (const command of [
      'setup',
      'accounts:create',
      'api-keys:create',
      'api-keys:list',
      'api-keys:revoke',
      'grants:add',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} \\[options\\] +\\S`, 'm'));
    }
    expect(help.stdout).toMatch(/^ {2}accounts:list +List the accounts/m);
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
