import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ApiKeyRevocations } from '../accounts/api-key-revocations';
import { ApiKeyCredential, ApiKeysRepository } from '../accounts/api-keys.repository';
import { AppConfig } from '../config/app-config';
import { parseApiKey, secretMatches } from './api-key-secret';
import { parseScopes, Principal } from './principal';

const MAX_CACHED_KEYS = 10_000;

/**
 * Turns a presented API key into a principal, or null for any key that must not pass.
 *
 * Key rows may be cached for API_KEY_CACHE_TTL_MS, which saves a database round trip per
 * request, but only while revocations are heard at once: PostgresRevocationListener enables the
 * cache while it is LISTENing (and clears it when the connection drops); revocations made in
 * this process arrive through ApiKeyRevocations. The secret, revocation and expiry are checked
 * on every request, cached or not.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleDestroy {
  private readonly cache = new Map<string, { credential: ApiKeyCredential; until: number }>();
  private cacheEnabled = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly apiKeys: ApiKeysRepository,
    private readonly config: AppConfig,
    revocations: ApiKeyRevocations,
  ) {
    this.unsubscribe = revocations.subscribe((apiKeyId) => this.cache.delete(apiKeyId));
  }

  /** Called by the revocation listener: caching is only safe while revocations are heard. */
  setCaching(enabled: boolean): void {
    this.cacheEnabled = enabled && this.config.apiKeyCacheTtlMs > 0;
    if (!this.cacheEnabled) this.cache.clear();
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  async authenticate(presented: string): Promise<Principal | null> {
    const parsed = parseApiKey(presented);
    if (!parsed) return null;
    const credential = await this.credential(parsed.id);
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

  private async credential(id: string): Promise<ApiKeyCredential | null> {
    if (!this.cacheEnabled) return this.apiKeys.findCredential(id);
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.credential;
    const credential = await this.apiKeys.findCredential(id);
    // Unknown keys are not cached: anyone can invent them.
    if (credential && this.cacheEnabled) {
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, { credential, until: Date.now() + this.config.apiKeyCacheTtlMs });
    }
    return credential;
  }
}
