import { ApiKeyRevocations } from '../accounts/api-key-revocations';
import { ApiKeyCredential, ApiKeysRepository } from '../accounts/api-keys.repository';
import { loadConfig } from '../config/load-config';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { generateApiKey } from './api-key-secret';

describe(ApiKeyAuthenticator.name, () => {
  const { id, apiKey, secretHash } = generateApiKey();
  let row: ApiKeyCredential;
  let lookups: number;
  /** When set, a lookup reads the row at once and answers only once this settles. */
  let answerAfter: Promise<void> | undefined;
  let revocations: ApiKeyRevocations;
  let sut: ApiKeyAuthenticator;

  beforeEach(() => {
    row = {
      id,
      accountId: 'a1b2c3d4-0000-4000-8000-000000000001',
      secretHash,
      scopes: 'admin',
      expiresAt: null,
      revokedAt: null,
      platformAdmin: false,
    };
    lookups = 0;
    answerAfter = undefined;
    const repository = {
      findCredential: async (keyId: string) => {
        lookups++;
        const found = keyId === id ? { ...row } : null;
        await answerAfter;
        return found;
      },
    } as unknown as ApiKeysRepository;
    revocations = new ApiKeyRevocations();
    sut = new ApiKeyAuthenticator(repository, loadConfig({ API_KEY_CACHE_TTL_MS: '60000' }), revocations);
  });

  it('should look the key up every time while caching is off (until revocations can be heard)', async () => {
    await sut.authenticate(apiKey);
    await sut.authenticate(apiKey);

    expect(lookups).toBe(2);
  });

  it('should look a key up once while caching is on, and check the secret every time', async () => {
    sut.trustCacheWhile(() => true);

    await expect(sut.authenticate(apiKey)).resolves.toMatchObject({
      accountId: row.accountId,
      via: 'api-key',
    });
    await expect(sut.authenticate(apiKey)).resolves.not.toBeNull();
    await expect(
      sut.authenticate(`${apiKey.slice(0, -1)}${apiKey.endsWith('A') ? 'B' : 'A'}`),
    ).resolves.toBeNull();

    expect(lookups).toBe(1);
  });

  it('should forget a key as soon as its revocation is announced', async () => {
    sut.trustCacheWhile(() => true);
    await sut.authenticate(apiKey);
    row.revokedAt = new Date();

    revocations.announce(id);

    await expect(sut.authenticate(apiKey)).resolves.toBeNull();
    expect(lookups).toBe(2);
  });

  it('should forget everything when caching is switched off', async () => {
    sut.trustCacheWhile(() => true);
    await sut.authenticate(apiKey);
    row.revokedAt = new Date();

    sut.trustCacheWhile(null);

    await expect(sut.authenticate(apiKey)).resolves.toBeNull();
  });

  it('should ask whether the cache may be trusted at every request, and drop it when not', async () => {
    let trusted = true;
    sut.trustCacheWhile(() => trusted);
    await sut.authenticate(apiKey);
    await sut.authenticate(apiKey);
    expect(lookups).toBe(1);

    trusted = false;
    row.revokedAt = new Date();
    await expect(sut.authenticate(apiKey)).resolves.toBeNull();
    expect(lookups).toBe(2);

    // Trusted again: the revoked row read meanwhile is not served from a cache kept from before.
    trusted = true;
    row.revokedAt = null;
    await expect(sut.authenticate(apiKey)).resolves.not.toBeNull();
    expect(lookups).toBe(3);
  });

  it('should not cache a row whose revocation was announced while it was being looked up', async () => {
    sut.trustCacheWhile(() => true);
    let answer!: () => void;
    answerAfter = new Promise<void>((resolve) => (answer = resolve));

    const pending = sut.authenticate(apiKey);
    row.revokedAt = new Date();
    revocations.announce(id);
    answer();
    // Read before the revocation: this request may pass, the row must not stay.
    await expect(pending).resolves.not.toBeNull();

    await expect(sut.authenticate(apiKey)).resolves.toBeNull();
    expect(lookups).toBe(2);
  });

  it('should not cache a row looked up before the cache was forgotten (the listener reconnected)', async () => {
    sut.trustCacheWhile(() => true);
    let answer!: () => void;
    answerAfter = new Promise<void>((resolve) => (answer = resolve));

    const pending = sut.authenticate(apiKey);
    sut.forgetCachedKeys();
    answer();
    await pending;
    answerAfter = undefined;
    await sut.authenticate(apiKey);

    expect(lookups).toBe(2);
  });

  it('should refuse a cached key once it expires', async () => {
    row.expiresAt = new Date(Date.now() + 30);
    sut.trustCacheWhile(() => true);
    await expect(sut.authenticate(apiKey)).resolves.not.toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 40));

    await expect(sut.authenticate(apiKey)).resolves.toBeNull();
    expect(lookups).toBe(1);
  });
});
