import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/**
 * Runs the admin command line (`src/cli/main.ts`, as `npm run cli` does after a build) against
 * a database and returns the JSON object it prints.
 */
export async function adminCli<T = Record<string, unknown>>(databaseUrl: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl },
    timeout: 20_000,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

export interface CliAccount {
  accountId: string;
  apiKey: string;
  apiKeyId: string;
}

/** An account and an API key for it, both made through the admin command line. */
export async function createAccountWithCli(databaseUrl: string, name: string): Promise<CliAccount> {
  const { accountId } = await adminCli<{ accountId: string }>(databaseUrl, [
    'accounts:create',
    '--name',
    name,
    '--email',
    `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}@example.com`,
  ]);
  const { apiKeyId, apiKey } = await adminCli<{ apiKeyId: string; apiKey: string }>(databaseUrl, [
    'api-keys:create',
    '--account',
    accountId,
  ]);
  return { accountId, apiKey, apiKeyId };
}
