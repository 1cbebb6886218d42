import { createHash } from 'node:crypto';
import { isUUID } from 'class-validator';
import { generateApiKey, hashSecret, looksLikeApiKey, parseApiKey, secretMatches } from './api-key-secret';

const KEY_FORMAT = /^bsk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/;

/** The key with one character of its secret part changed. */
function changeSecret(apiKey: string, position = apiKey.length - 1): string {
  const replacement = apiKey[position] === 'A' ? 'B' : 'A';
  return `${apiKey.slice(0, position)}${replacement}${apiKey.slice(position + 1)}`;
}

describe(generateApiKey.name, () => {
  it('should make a key of the form bsk_<32 hex>_<43 base64url>', () => {
    const { apiKey } = generateApiKey();
    expect(apiKey).toMatch(KEY_FORMAT);
  });

  it('should embed the key id, a UUID, as 32 hex digits', () => {
    const { id, apiKey } = generateApiKey();
    expect(isUUID(id, 4)).toBe(true);
    expect(apiKey.slice(4, 36)).toBe(id.replace(/-/g, ''));
  });

  it('should carry a secret of 32 random bytes', () => {
    const { apiKey } = generateApiKey();
    const secret = apiKey.slice(37);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('should make a different id and secret every time', () => {
    const keys = Array.from({ length: 20 }, () => generateApiKey());
    expect(new Set(keys.map((key) => key.id)).size).toBe(20);
    expect(new Set(keys.map((key) => key.apiKey.slice(37))).size).toBe(20);
  });

  it('should store a SHA-256 of the secret, never the key or the secret itself', () => {
    const { apiKey, secretHash } = generateApiKey();
    const secret = apiKey.slice(37);
    expect(secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(secretHash).not.toBe(apiKey);
    expect(secretHash).not.toContain(secret);
    expect(apiKey).not.toContain(secretHash);
    expect(secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
  });
});

describe(parseApiKey.name, () => {
  it('should give back the id and the secret of a generated key', () => {
    const { id, apiKey, secretHash } = generateApiKey();
    const parsed = parseApiKey(apiKey);
    expect(parsed).toEqual({ id, secret: apiKey.slice(37) });
    expect(secretMatches(parsed!.secret, secretHash)).toBe(true);
  });

  it.each<[string, string]>([
    ['an empty string', ''],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['a wrong prefix', `sk_${'a'.repeat(32)}_${'b'.repeat(43)}`],
    ['an upper-case prefix', `BSK_${'a'.repeat(32)}_${'b'.repeat(43)}`],
    ['upper-case hex', `bsk_${'A'.repeat(32)}_${'b'.repeat(43)}`],
    ['a short id', `bsk_${'a'.repeat(31)}_${'b'.repeat(43)}`],
    ['a short secret', `bsk_${'a'.repeat(32)}_${'b'.repeat(42)}`],
    ['a long secret', `bsk_${'a'.repeat(32)}_${'b'.repeat(44)}`],
    ['standard base64 characters', `bsk_${'a'.repeat(32)}_${'+/'.repeat(21)}b`],
    ['padding', `bsk_${'a'.repeat(32)}_${'b'.repeat(42)}=`],
    ['surrounding whitespace', ` bsk_${'a'.repeat(32)}_${'b'.repeat(43)} `],
    ['a trailing newline', `bsk_${'a'.repeat(32)}_${'b'.repeat(43)}\n`],
    ['a hyphenated id', `bsk_aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa_${'b'.repeat(43)}`],
  ])('should refuse %s', (_label, value) => {
    expect(parseApiKey(value)).toBeNull();
  });

  it('should format the id as a hyphenated UUID', () => {
    const parsed = parseApiKey(`bsk_0123456789abcdef0123456789abcdef_${'b'.repeat(43)}`);
    expect(parsed?.id).toBe('01234567-89ab-cdef-0123-456789abcdef');
  });
});

describe(secretMatches.name, () => {
  it('should accept the secret the hash was made of', () => {
    const { apiKey, secretHash } = generateApiKey();
    expect(secretMatches(parseApiKey(apiKey)!.secret, secretHash)).toBe(true);
  });

  it.each([0, 21, 42])('should refuse the secret changed at position %i', (offset) => {
    const { apiKey, secretHash } = generateApiKey();
    const forged = parseApiKey(changeSecret(apiKey, 37 + offset));
    expect(forged).not.toBeNull();
    expect(forged!.secret).not.toBe(apiKey.slice(37));
    expect(secretMatches(forged!.secret, secretHash)).toBe(false);
  });

  it('should refuse the secret of another key', () => {
    const first = generateApiKey();
    const second = generateApiKey();
    expect(secretMatches(parseApiKey(second.apiKey)!.secret, first.secretHash)).toBe(false);
  });

  it('should refuse the stored hash presented as the secret', () => {
    const { secretHash } = generateApiKey();
    expect(secretMatches(secretHash, secretHash)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['too short', 'abcd'],
    ['not hex', 'z'.repeat(64)],
  ])('should refuse, not throw, when the stored hash is %s', (_label, storedHash) => {
    const { apiKey } = generateApiKey();
    expect(secretMatches(parseApiKey(apiKey)!.secret, storedHash)).toBe(false);
  });
});

describe(hashSecret.name, () => {
  it('should be deterministic and differ for different secrets', () => {
    expect(hashSecret('one')).toBe(hashSecret('one'));
    expect(hashSecret('one')).not.toBe(hashSecret('two'));
  });
});

describe(looksLikeApiKey.name, () => {
  it('should tell keys of this service from other bearer values', () => {
    expect(looksLikeApiKey(generateApiKey().apiKey)).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });
});
