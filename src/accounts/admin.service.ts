import { Injectable, Optional } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { BadRequestError, NotFoundError } from '../common/errors/domain-errors';
import { generateApiKey } from '../auth/api-key-secret';
import { ADMIN_SCOPE } from '../auth/principal';
import { AccountListing, AccountsRepository } from './accounts.repository';
import { ApiKeyRevocations } from './api-key-revocations';
import { ApiKeyListing, ApiKeysRepository } from './api-keys.repository';

const KNOWN_SCOPES = new Set([ADMIN_SCOPE]);

/** The operations of the admin command line (`npm run cli`, listed in the README). */
@Injectable()
export class AdminService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly apiKeys: ApiKeysRepository,
    @Optional() private readonly revocations?: ApiKeyRevocations,
  ) {}

  async createAccount(input: {
    name: string;
    email?: string;
    externalId?: string;
    platformAdmin?: boolean;
  }): Promise<{ accountId: string }> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200)
      throw new BadRequestError('--name must be 1 to 200 characters');
    if (input.email !== undefined && !/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(input.email)) {
      throw new BadRequestError('--email is not an email address');
    }
    if (input.externalId !== undefined) {
      if (input.externalId.length === 0 || input.externalId.length > 255) {
        throw new BadRequestError('--external-id must be 1 to 255 characters');
      }
      if (await this.accounts.findByExternalId(input.externalId)) {
        throw new BadRequestError('another account already has this --external-id');
      }
    }
    const account = await this.accounts.create({
      name,
      email: input.email ?? null,
      externalId: input.externalId ?? null,
      platformAdmin: input.platformAdmin ?? false,
    });
    return { accountId: account.id };
  }

  /** The key is in the answer once; only its hash is stored. */
  async createApiKey(input: {
    accountId: string;
    scopes?: string[];
    expiresAt?: Date;
  }): Promise<{ apiKeyId: string; apiKey: string; accountId: string; scopes: string[] }> {
    await this.requireAccount(input.accountId, '--account');
    const scopes = [...new Set(input.scopes ?? [])];
    const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
    if (unknown.length > 0) throw new BadRequestError(`unknown scope: ${unknown.join(', ')}`);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new BadRequestError('--expires-at must be in the future');
    }
    const { id, apiKey, secretHash } = generateApiKey();
    await this.apiKeys.create({
      id,
      accountId: input.accountId,
      secretHash,
      scopes: scopes.join(' '),
      expiresAt: input.expiresAt ?? null,
    });
    return { apiKeyId: id, apiKey, accountId: input.accountId, scopes };
  }

  async revokeApiKey(apiKeyId: string): Promise<{ apiKeyId: string; revoked: boolean }> {
    if (!isUUID(apiKeyId, 'all')) throw new BadRequestError('--id must be an API key id (a UUID)');
    const revoked = await this.apiKeys.revoke(apiKeyId);
    if (!revoked && !(await this.apiKeys.findCredential(apiKeyId)))
      throw new NotFoundError('No such API key');
    // Other instances hear of it through the database; this one must not wait for that round trip.
    this.revocations?.announce(apiKeyId);
    return { apiKeyId, revoked: true };
  }

  async addGrant(adminAccountId: string, accountId: string): Promise<{ grantId: string; created: boolean }> {
    await this.requireAccount(adminAccountId, '--admin');
    await this.requireAccount(accountId, '--account');
    if (adminAccountId === accountId) throw new BadRequestError('an account needs no grant on itself');
    const grant = await this.accounts.addGrant(adminAccountId, accountId);
    return { grantId: grant.id, created: grant.created };
  }

  listAccounts(): Promise<AccountListing[]> {
    return this.accounts.list();
  }

  /** The keys, of one account when it is given; no secret and no hash is among what is listed. */
  async listApiKeys(accountId?: string): Promise<ApiKeyListing[]> {
    if (accountId !== undefined) await this.requireAccount(accountId, '--account');
    return this.apiKeys.list(accountId);
  }

  /** Refuses an id that is not an account's (named after the option that gave it). */
  async requireAccount(id: string, flag: string): Promise<void> {
    if (!isUUID(id, 'all')) throw new BadRequestError(`${flag} must be an account id (a UUID)`);
    if (!(await this.accounts.findById(id))) throw new NotFoundError(`${flag}: no such account`);
  }
}
