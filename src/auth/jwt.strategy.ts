import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import type { Algorithm } from 'jsonwebtoken';
import { ExtractJwt, Strategy, StrategyOptionsWithoutRequest } from 'passport-jwt';
import { AccountsRepository } from '../accounts/accounts.repository';
import { AppConfig, JwtConfig } from '../config/app-config';
import { looksLikeApiKey } from './api-key-secret';
import { parseScopes, Principal } from './principal';

export const JWT_STRATEGY = 'jwt';

interface JwtClaims {
  sub?: unknown;
  scope?: unknown;
  scp?: unknown;
  exp?: unknown;
  iat?: unknown;
}

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * `Authorization: Bearer <jwt>`: signature (HS256 secret, or RS256/ES256 keys from a JWKS),
 * `exp` (required, and at most JWT_MAX_LIFETIME away), `nbf`, and `iss`/`aud` when configured.
 * Only the configured algorithms are accepted, so `alg: none` and HS256 tokens signed with a
 * public key fail. `sub` names the account.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  private readonly maxLifetimeSeconds: number;

  constructor(
    config: AppConfig,
    private readonly accounts: AccountsRepository,
  ) {
    super(jwtOptions(config.jwt));
    this.maxLifetimeSeconds = config.jwt?.maxLifetimeSeconds ?? 0;
  }

  async validate(claims: JwtClaims): Promise<Principal | false> {
    if (!this.lifetimeAllowed(claims)) return false;
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255) return false;
    const account = await this.accounts.findByExternalId(claims.sub);
    if (!account) return false;
    return {
      accountId: account.id,
      scopes: parseScopes(claims.scope ?? claims.scp),
      via: 'jwt',
      credentialId: `jwt:${claims.sub}`,
      platformAdmin: account.platformAdmin,
    };
  }

  /**
   * A token without `exp` would work forever once leaked, and one that lives for years nearly
   * so. Its lifetime counts from `iat`, or from now when `iat` is missing or still ahead (a
   * token dated in the future must not buy itself a longer life).
   */
  private lifetimeAllowed(claims: JwtClaims): boolean {
    const { exp, iat } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return false;
    if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) return false;
    const now = Date.now() / 1000;
    const issued = iat === undefined ? now : Math.min(iat, now);
    return exp - issued <= this.maxLifetimeSeconds;
  }
}

function jwtOptions(jwt: JwtConfig | null): StrategyOptionsWithoutRequest {
  const common = {
    // A bearer value that is one of our API keys is not a JWT: leave it to the API key strategy.
    jwtFromRequest: (request: Parameters<typeof bearerToken>[0]) => {
      if (!jwt) return null;
      const token = bearerToken(request);
      return token && !looksLikeApiKey(token) ? token : null;
    },
    ignoreExpiration: false,
    issuer: jwt?.issuer,
    audience: jwt?.audience,
    algorithms: (jwt?.algorithms ?? ['HS256']) as Algorithm[],
  };
  if (jwt?.jwksUri) {
    return {
      ...common,
      secretOrKeyProvider: passportJwtSecret({
        jwksUri: jwt.jwksUri,
        cache: true,
        cacheMaxAge: 10 * 60_000,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: 5_000,
      }),
    };
  }
  // With JWT off the strategy still exists (the guard names it) but reads no token at all.
  return { ...common, secretOrKey: jwt?.secret ?? 'jwt-is-not-configured' };
}
