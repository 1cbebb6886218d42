import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminCliConfig, AdminSession, CommandResult } from './admin-session';

type CommanderCommand = Parameters<CommandRunner['setCommand']>[0];

/** A usage mistake (an unknown command, a missing or malformed option): exit code 2. */
export class UsageError extends Error {
  /** `command` is the one whose help goes with the message, when known. */
  constructor(
    message: string,
    readonly command?: CommanderCommand,
  ) {
    super(message);
  }
}

/** An option a command cannot do without; an empty value is as good as none. */
function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.length === 0) throw new UsageError(`--${flag} is required`);
  return value;
}

/** The last of a repeated option wins. */
const lastValue = (value: string): string => value;

/** The account `setup` makes when no --name is given. */
const SETUP_ACCOUNT_NAME = 'My first account';

@Command({
  name: 'setup',
  description:
    'Create an account and an API key for it in one step; prints {"accountId", "apiKeyId", "apiKey", ' +
    '"try"}, where "try" is a curl command that opens a checkout with the key.',
})
export class SetupCommand extends CommandRunner {
  constructor(
    private readonly session: AdminSession,
    private readonly result: CommandResult,
  ) {
    super();
  }

  async run(_arguments: string[], options: { name?: string; email?: string }): Promise<void> {
    const settings = this.session.settings();
    const created = await this.session.run(async (admin) => {
      const { accountId } = await admin.createAccount({
        name: options.name ?? SETUP_ACCOUNT_NAME,
        email: options.email,
      });
      const { apiKeyId, apiKey } = await admin.createApiKey({ accountId });
      return { accountId, apiKeyId, apiKey };
    });
    const warning = redirectWarning(settings);
    this.result.value = {
      ...created,
      try: tryCommand(settings.publicUrl, created.apiKey),
      ...(warning ? { warning } : {}),
    };
  }

  @Option({ flags: '--name <name>', description: `the account's name (default: "${SETUP_ACCOUNT_NAME}")` })
  parseName(value: string): string {
    return lastValue(value);
  }

  @Option({ flags: '--email <email>', description: 'its billing email address' })
  parseEmail(value: string): string {
    return lastValue(value);
  }
}

/**
 * A curl command that starts a subscription checkout for the key's account at the service's
 * PUBLIC_URL (the plan is SUBSCRIPTION_PRICE_ID's); the checkout comes back to the sandbox's
 * return page.
 */
export function tryCommand(publicUrl: string, apiKey: string): string {
  const successUrl = `${publicUrl}/sandbox/return?checkout=success&session_id={CHECKOUT_SESSION_ID}`;
  return [
    'curl -sS -X POST',
    shellQuote(`${publicUrl}/api/subscriptions/sessions`),
    '-H',
    shellQuote(`x-api-key: ${apiKey}`),
    '-H',
    shellQuote('content-type: application/json'),
    '-d',
    shellQuote(JSON.stringify({ successUrl })),
  ].join(' ');
}

/** One word for a POSIX shell, whatever it holds. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The try command's successUrl must be on an allowed origin, or the service answers 400. */
function redirectWarning(settings: AdminCliConfig): string | undefined {
  const url = new URL(settings.publicUrl);
  if (settings.allowedRedirectOrigins.some((rule) => rule.matches(url))) return undefined;
  const allowed = settings.allowedRedirectOrigins.map((rule) => rule.text).join(', ');
  return (
    `PUBLIC_URL (${settings.publicUrl}) is not on an allowed redirect origin (${allowed}): add it to ` +
    'ALLOWED_REDIRECT_ORIGINS, or the try command is refused with 400'
  );
}

@Command({
  name: 'accounts:list',
  description:
    'List the accounts; prints [{"id", "name", "email", "externalId", "platformAdmin", "createdAt"}, …].',
})
export class ListAccountsCommand extends CommandRunner {
  constructor(
    private readonly session: AdminSession,
    private readonly result: CommandResult,
  ) {
    super();
  }

  async run(): Promise<void> {
    this.result.value = await this.session.run((admin) => admin.listAccounts());
  }
}

@Command({
  name: 'api-keys:list',
  description:
    'List API keys, never their secrets; prints [{"id", "accountId", "scopes", "createdAt", "expiresAt", ' +
    '"revokedAt"}, …].',
})
export class ListApiKeysCommand extends CommandRunner {
  constructor(
    private readonly session: AdminSession,
    private readonly result: CommandResult,
  ) {
    super();
  }

  async run(_arguments: string[], options: { account?: string }): Promise<void> {
    const accountId = options.account === undefined ? undefined : required(options.account, 'account');
    this.result.value = await this.session.run((admin) => admin.listApiKeys(accountId));
  }

  @Option({ flags: '--account <id>', description: "only this account's keys" })
  parseAccount(value: string): string {
    return lastValue(value);
  }
}

interface CreateAccountOptions {
  name?: string;
  email?: string;
  externalId?: string;
  platformAdmin?: boolean;
}

@Command({
  name: 'accounts:create',
  description: 'Create an account; prints {"accountId": …}.',
})
export class CreateAccountCommand extends CommandRunner {
  constructor(
    private readonly session: AdminSession,
    private readonly result: CommandResult,
  ) {
    super();
  }

  async run(_arguments: string[], options: CreateAccountOptions): Promise<void> {
    const input = {
      name: required(options.name, 'name'),
      email: options.email,
      externalId: options.externalId,
      platformAdmin: options.platformAdmin === true,
    };
    this.result.value = await this.session.run((admin) => admin.createAccount(input));
  }

  @Option({ flags: '--name <name>', description: "the account's name (required)" })
  parseName(value: string): string {
    return lastValue(value);
  }

  @Option({ flags: '--email <email>', description: 'its billing email address' })
  parseEmail(value: string): string {
    return lastValue(value);
  }

  @Option({ flags: '--external-id <jwt-sub>', description: 'the JWT subject (`sub`) that names it' })
  parseExternalId(value: string): string {
    return lastValue(value);
  }

  @Option({
    flags: '--platform-admin',
    description: 'an admin-scoped credential of this account may act for any account',
  })
  parsePlatformAdmin(): boolean {
    return true;
  }
}

interface CreateApiKeyOptions {
  account?: string;
  scope?: string[];
  expiresAt?: string;
}

@Command({
  name: 'api-keys:create',
  description: 'Create an API key for an account; prints the key, once, with its id.',
})
export class CreateApiKeyCommand extends CommandRunner {
  constructor(
    private readonly session: AdminSession,
    private readonly result: CommandResult,
  ) {
    super();
  }

  async run(_arguments: string[], options: CreateApiKeyOptions): Promise<void> {
    const input = {
      accountId: required(options.account, 'account'),
      scopes: options.scope,
      expiresAt: options.expiresAt === undefined ? undefined : parseDate(options.expiresAt),
    };
    this.result.value = await this.session.run((admin) => admin.createApiKey(input));
  }

  @Option({ flags: '--account <id>', description: 'the account the key acts as (required)' })
  parseAccount(value: string): string {
    return lastValue(value);
  }

  @Option({ flags: '--scope <scope>', description: 'a scope of the key (`admin`); may be repeated' })
  parseScope(value: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), value];
  }

  @Option({ flags: '--expires-at <iso-8601>', description: 'when the key stops being accepted' })
  parseExpiresAt(value: string): string {
    return lastValue(value);
  }
}

function parseDate(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError('--expires-at must be an ISO-8601 date');
  return date;
}

@Command({ name: 'api-keys:revoke', description: 'Revoke an API key; every instance refuses it at once.' })
export class RevokeApiKeyCommand extends CommandRunner {
  constructor(
    private readonly session: AdminSession,
    private readonly result: CommandResult,
  ) {
    super();
  }

  async run(_arguments: string[], options: { id?: string }): Promise<void> {
    const apiKeyId = required(options.id, 'id');
    this.result.value = await this.session.run((admin) => admin.revokeApiKey(apiKeyId));
  }

  @Option({ flags: '--id <key-id>', description: 'the id of the key (required)' })
  parseId(value: string): string {
    return lastValue(value);
  }
}

@Command({
  name: 'grants:add',
  description: "Let an admin account's admin-scoped credentials act for another account.",
})
export class AddGrantCommand extends CommandRunner {
  constructor(
    private readonly session: AdminSession,
    private readonly result: CommandResult,
  ) {
    super();
  }

  async run(_arguments: string[], options: { admin?: string; account?: string }): Promise<void> {
    const adminAccountId = required(options.admin, 'admin');
    const accountId = required(options.account, 'account');
    this.result.value = await this.session.run((admin) => admin.addGrant(adminAccountId, accountId));
  }

  @Option({ flags: '--admin <account-id>', description: 'the account that gets the grant (required)' })
  parseAdmin(value: string): string {
    return lastValue(value);
  }

  @Option({ flags: '--account <account-id>', description: 'the account it may act for (required)' })
  parseAccount(value: string): string {
    return lastValue(value);
  }
}

@Command({
  name: 'sync',
  description:
    "Reconcile the records with the payment provider: read every customer's subscriptions there (or one " +
    "account's) and repair what a missed webhook left, with the outbound events the repair makes; one " +
    'round at a time across instances. Prints {"startedAt", "finishedAt", "customers", "subscriptions", ' +
    '"repaired": [{"accountId", "mode", "subscriptionId", "created", "fields"}, …], "failed": [{"accountId", ' +
    '"mode", "customerId", "error"}, …], "interrupted"}; exit code 1 when something could not be compared.',
})
export class SyncCommand extends CommandRunner {
  constructor(
    private readonly session: AdminSession,
    private readonly result: CommandResult,
  ) {
    super();
  }

  async run(_arguments: string[], options: { account?: string }): Promise<void> {
    const accountId = options.account === undefined ? undefined : required(options.account, 'account');
    if (accountId !== undefined)
      await this.session.run((admin) => admin.requireAccount(accountId, '--account'));
    const report = await this.session.reconcile(accountId);
    this.result.value = report;
    if (report.failed.length > 0 || report.interrupted) this.result.exitCode = 1;
  }

  @Option({ flags: '--account <id>', description: "only this account's customers" })
  parseAccount(value: string): string {
    return lastValue(value);
  }
}
