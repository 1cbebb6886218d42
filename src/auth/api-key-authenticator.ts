import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
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
 * request, but only while revocations are known to be heard: PostgresRevocationListener hands
 * in a check (its listener has heard its own heartbeat within a few seconds) that is asked at
 * every request, and while it fails nothing is read from or kept in the cache. Revocations made
 * in this process arrive through ApiKeyRevocations. The secret, revocation and expiry are
 * checked on every request, cached or not.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleDestroy {
  private readonly cache: LRUCache<string, ApiKeyCredential>;
  private trusted: (() => boolean) | null = null;
  /** Counts revocations heard and cache drops: a lookup that saw either go by is not cached. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly apiKeys: ApiKeysRepository,
    private readonly config: AppConfig,
    revocations: ApiKeyRevocations,
  ) {
    // API_KEY_CACHE_TTL_MS=0 keeps `trusted` null, so nothing is cached; lru-cache would read 0 as
    // "never expires", hence the 1 ms.
    this.cache = new LRUCache({ max: MAX_CACHED_KEYS, ttl: config.apiKeyCacheTtlMs || 1 });
    this.unsubscribe = revocations.subscribe((apiKeyId) => {
      this.generation++;
      this.cache.delete(apiKeyId);
    });
  }

  /** Called by the revocation listener: cached rows are used only while `check` holds. */
  trustCacheWhile(check: (() => boolean) | null): void {
    this.trusted = this.config.apiKeyCacheTtlMs > 0 ? check : null;
    this.forgetCachedKeys();
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
    if (!this.trusted?.()) {
      this.forgetCachedKeys();
      return this.apiKeys.findCredential(id);
    }
    const cached = this.cache.get(id);
    if (cached) return cached;
    const generation = this.generation;
    const credential = await this.apiKeys.findCredential(id);
    // Unknown keys are not cached: anyone can invent them.
    if (credential && generation === this.generation && this.trusted?.()) {
      this.cache.set(id, credential);
    }
    return credential;
  }

  /**
   * Drops every cached row, and keeps lookups in flight from caching theirs: the listener calls
   * this when its connection is lost, as revocations may have gone unheard since those reads.
   */
  forgetCachedKeys(): void {
    this.generation++;
    this.cache.clear();
  }
}
