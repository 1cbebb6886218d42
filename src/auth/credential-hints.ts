import type { IncomingHttpHeaders } from 'node:http';

/** The challenges of a 401: the two ways to send a credential (RFC 9110 §11.6.1). */
export const WWW_AUTHENTICATE = 'ApiKey header="x-api-key", Bearer';

/** Headers a caller may well have meant as `x-api-key`. */
const NEAR_MISS_HEADERS = [
  'api-key',
  'apikey',
  'api_key',
  'x-apikey',
  'x-api_key',
  'x-api-token',
  'x-auth-token',
];

const BEARER = /^bearer(\s|$)/i;

/**
 * What a request that failed authentication probably got wrong in how it sent its credential,
 * or undefined when it sent one the right way (and it was refused for what it is). The hint
 * names headers and schemes only: it never repeats a value the caller sent.
 */
export function credentialHint(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = single(headers['x-api-key']);
  if (apiKey !== undefined) {
    return BEARER.test(apiKey.trim())
      ? 'x-api-key takes the key alone: drop "Bearer " (or send Authorization: Bearer <key>)'
      : undefined;
  }
  const authorization = single(headers.authorization)?.trim();
  if (authorization !== undefined) {
    if (BEARER.test(authorization)) return undefined;
    return /\s/.test(authorization)
      ? 'Authorization takes the Bearer scheme only: Authorization: Bearer <key or JWT>, or x-api-key: <key>'
      : 'Authorization needs the scheme before the credential: Authorization: Bearer <key or JWT>';
  }
  const nearMiss = NEAR_MISS_HEADERS.find((name) => headers[name] !== undefined);
  if (nearMiss) return `The API key goes in the x-api-key header (this request sent ${nearMiss})`;
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
