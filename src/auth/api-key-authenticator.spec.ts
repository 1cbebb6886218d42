import { ApiKeyRevocations } from '../accounts/api-key-revocations';
import { ApiKeyCredential, ApiKeysRepository } from '../accounts/api-keys.repository';
import { loadConfig } from '../config/load-config';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { generateApiKey } from './api-key-secret';

describe(ApiKeyAuthenticator.name, () => {
  const { id, apiKey, secretHash } = generateApiKey();
  let row: ApiKeyCredential;
  let lookups: number;
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
    const repository = {
      findCredential: (keyId: string) => {
        lookups++;
        return Promise.resolve(keyId === id ? { ...row } : null);
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
    sut.setCaching(true);

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
    sut.setCaching(true);
    await sut.authenticate(apiKey);
    row.revokedAt = new Date();

    revocations.announce(id);

    await expect(sut.authenticate(apiKey)).resolves.toBeNull();
    expect(lookups).toBe(2);
  });

  it('should forget everything when caching is switched off', async () => {
    sut.setCaching(true);
    await sut.authenticate(apiKey);
    row.revokedAt = new Date();

    sut.setCaching(false);

    await expect(sut.authenticate(apiKey)).resolves.toBeNull();
  });

  it('should refuse a cached key once it expires', async () => {
    row.expiresAt = new Date(Date.now() + 30);
    sut.setCaching(true);
    await expect(sut.authenticate(apiKey)).resolves.not.toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 40));

    await expect(sut.authenticate(apiKey)).resolves.toBeNull();
    expect(lookups).toBe(1);
  });
});
