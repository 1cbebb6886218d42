import { Injectable } from '@nestjs/common';
import { ApiKeysRepository } from '../accounts/api-keys.repository';
import { parseApiKey, secretMatches } from './api-key-secret';
import { parseScopes, Principal } from './principal';

/** Turns a presented API key into a principal, or null for any key that must not pass. */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(private readonly apiKeys: ApiKeysRepository) {}

  async authenticate(presented: string): Promise<Principal | null> {
    const parsed = parseApiKey(presented);
    if (!parsed) return null;
    const credential = await this.apiKeys.findCredential(parsed.id);
    if (!credential || !secretMatches(parsed.secret, credential.secretHash)) return null;
    const now = Date.now();
    if (credential.revokedAt && credential.revokedAt.getTime() <= now) return null;
    if (credential.expiresAt && credential.expiresAt.getTime() <= now) return null;
    return {
      accountId: credential.accountId,
      scopes: parseScopes(credential.scopes),
      via: 'api-key',
      credentialId: credential.id,
      platformAdmin: credential.platformAdmin,
    };
  }
}
