import { ExecutionContext, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthGuard } from '@nestjs/passport';
import { UnauthorizedError } from '../common/errors/domain-errors';
import { AuthFailureLimiter } from '../rate-limit/auth-failure.limiter';
import { API_KEY_STRATEGY, BEARER_API_KEY_STRATEGY } from './api-key.strategy';
import { credentialHint } from './credential-hints';
import { JWT_STRATEGY } from './jwt.strategy';
import { Principal } from './principal';

/**
 * Passes when any strategy accepts the request's credential: `x-api-key`, a bearer API key, or
 * a bearer JWT. Missing, unknown, revoked or expired credentials get 401; a failure behind the
 * check keeps its own status (503 when the database is down, 500 for anything unexpected).
 */
@Injectable()
export class CredentialsGuard extends AuthGuard([API_KEY_STRATEGY, BEARER_API_KEY_STRATEGY, JWT_STRATEGY]) {
  constructor(private readonly failures: AuthFailureLimiter) {
    super();
  }

  /** A failed authentication also counts against the caller's IP (429 past the limit). */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return (await super.canActivate(context)) as boolean;
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        const http = context.switchToHttp();
        await this.failures.recordFailure(
          http.getRequest<{ ip?: string }>().ip,
          http.getResponse<{ header(name: string, value: string): unknown }>(),
        );
      }
      throw error;
    }
  }

  override handleRequest<TUser = Principal>(
    error: unknown,
    principal: TUser | false,
    _info?: unknown,
    context?: ExecutionContext,
  ): TUser {
    // A strategy reports a credential it refuses as a failure (no principal); an error means the
    // check itself broke (the database, say), which is not the caller's fault: no 401 for that.
    if (error)
      throw error instanceof Error
        ? error
        : new Error(typeof error === 'string' ? error : 'Authentication failed');
    if (!principal) {
      const headers = context?.switchToHttp().getRequest<{ headers?: IncomingHttpHeaders }>().headers;
      throw new UnauthorizedError(undefined, headers ? credentialHint(headers) : undefined);
    }
    return principal;
  }
}
