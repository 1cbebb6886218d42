/** Who is calling, however they proved it: the same shape for API keys and JWTs. */
export interface Principal {
  /** The caller's own account. */
  accountId: string;
  scopes: ReadonlySet<string>;
  via: 'api-key' | 'jwt';
  /** The API key id, or the JWT subject: what rate limits and logs name the caller by. */
  credentialId: string;
  platformAdmin: boolean;
}

/** A principal and the account it acts for in this request (its own, or one it may administer). */
export interface Caller {
  principal: Principal;
  accountId: string;
}

export const ADMIN_SCOPE = 'admin';

export function parseScopes(value: unknown): Set<string> {
  if (Array.isArray(value))
    return new Set(value.filter((scope): scope is string => typeof scope === 'string'));
  if (typeof value === 'string') return new Set(value.split(' ').filter(Boolean));
  return new Set();
}
