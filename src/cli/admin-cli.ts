import { parseArgs, ParseArgsConfig } from 'node:util';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AdminService } from '../accounts/admin.service';
import { ApiKeysRepository } from '../accounts/api-keys.repository';
import { DomainError } from '../common/errors/domain-errors';
import { DatabaseConfig } from '../config/app-config';
import { openDatabase } from '../database/open-database';

export const USAGE = `Usage: npm run -s cli -- <command> [options]

  accounts:create --name NAME [--email E] [--external-id JWT_SUB] [--platform-admin]
  api-keys:create --account ID [--scope admin] [--expires-at ISO-8601]
  api-keys:revoke --id KEYID
  grants:add --admin ACCOUNTID --account ACCOUNTID

Every command prints one JSON object. An API key is printed once, when it is created.`;

export class UsageError extends Error {}

type Command = (
  admin: AdminService,
  values: Record<string, string | boolean | string[] | undefined>,
) => Promise<unknown>;

const COMMANDS: Record<string, { options: ParseArgsConfig['options']; run: Command }> = {
  'accounts:create': {
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      'external-id': { type: 'string' },
      'platform-admin': { type: 'boolean' },
    },
    run: (admin, values) =>
      admin.createAccount({
        name: required(values, 'name'),
        email: values.email as string | undefined,
        externalId: values['external-id'] as string | undefined,
        platformAdmin: values['platform-admin'] === true,
      }),
  },
  'api-keys:create': {
    options: {
      account: { type: 'string' },
      scope: { type: 'string', multiple: true },
      'expires-at': { type: 'string' },
    },
    run: (admin, values) =>
      admin.createApiKey({
        accountId: required(values, 'account'),
        scopes: values.scope as string[] | undefined,
        expiresAt: values['expires-at'] === undefined ? undefined : parseDate(values['expires-at'] as string),
      }),
  },
  'api-keys:revoke': {
    options: { id: { type: 'string' } },
    run: (admin, values) => admin.revokeApiKey(required(values, 'id')),
  },
  'grants:add': {
    options: { admin: { type: 'string' }, account: { type: 'string' } },
    run: (admin, values) => admin.addGrant(required(values, 'admin'), required(values, 'account')),
  },
};

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--${name} is required`);
  return value;
}

function parseDate(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError('--expires-at must be an ISO-8601 date');
  return date;
}

/** Runs one admin command against the database; returns the JSON-able result. */
export async function runAdminCommand(argv: string[], database: DatabaseConfig): Promise<unknown> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(name ? `unknown command: ${name}` : 'no command given');
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const open = await openDatabase(database);
  try {
    const admin = new AdminService(
      new AccountsRepository(open.database),
      new ApiKeysRepository(open.database),
    );
    return await command.run(admin, values);
  } finally {
    await open.close();
  }
}

export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof UsageError) return { message: `${error.message}\n\n${USAGE}`, exitCode: 2 };
  if (error instanceof DomainError) return { message: error.message, exitCode: 1 };
  return { message: error instanceof Error ? error.message : String(error), exitCode: 1 };
}
