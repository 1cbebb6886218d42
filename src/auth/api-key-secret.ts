import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

const PREFIX = 'bsk_';
const KEY_PATTERN = /^bsk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  id: string;
  secret: string;
}

/**
 * API keys look like `bsk_<key id, 32 hex>_<secret, 32 random bytes base64url>`. The id finds
 * the row; only a SHA-256 of the secret is stored, and it is compared in constant time.
 */
export function generateApiKey(): { id: string; apiKey: string; secretHash: string } {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { id, apiKey: `${PREFIX}${id.replace(/-/g, '')}_${secret}`, secretHash: hashSecret(secret) };
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function parseApiKey(value: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(value);
  if (!match) return null;
  const hex = match[1];
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id, secret: match[2] };
}

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  // One-shot hashing, straight to bytes: this runs on every request that presents an API key.
  const actual = hash('sha256', secret, 'buffer');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
