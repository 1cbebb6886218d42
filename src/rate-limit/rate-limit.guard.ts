import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Principal } from '../auth/principal';

const LIMITED_PER_CREDENTIAL = 'rate-limit:per-credential';

/**
 * Marks a route whose requests CredentialRateLimitGuard counts (it must run after the guard that
 * authenticates): IpRateLimitGuard then leaves the route alone.
 */
export const LimitedPerCredential = () => SetMetadata(LIMITED_PER_CREDENTIAL, true);

/**
 * RATE_LIMIT_PER_MINUTE per IP, for the routes that are not limited per credential. Credentials
 * a request presents play no part here: only a credential that authenticated is counted on its
 * own, so inventing or respelling one gains nothing.
 */
@Injectable()
export class IpRateLimitGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(
      this.reflector.getAllAndOverride<boolean>(LIMITED_PER_CREDENTIAL, [
        context.getHandler(),
        context.getClass(),
      ]) === true,
    );
  }

  protected override getTracker(request: { ip?: string }): Promise<string> {
    return Promise.resolve(`ip:${request.ip ?? 'unknown'}`);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}

/**
 * RATE_LIMIT_PER_MINUTE per credential that authenticated (the API key id, or the JWT subject),
 * however the request spelled it. Requests whose credential fails get 401 before this guard and
 * count against their IP instead (see AuthFailureLimiter).
 */
@Injectable()
export class CredentialRateLimitGuard extends ThrottlerGuard {
  protected override getTracker(request: { user?: Principal }): Promise<string> {
    const principal = request.user;
    // Reaching here without a principal means the guards are composed in the wrong order.
    if (!principal) throw new Error('CredentialRateLimitGuard must run after authentication');
    return Promise.resolve(`credential:${principal.credentialId}`);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}
