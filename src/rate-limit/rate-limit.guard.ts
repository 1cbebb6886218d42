import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { createHash } from 'node:crypto';

type RequestLike = { ip?: string; headers: Record<string, string | string[] | undefined> };

/** The credential a request presents (not yet verified), or undefined. */
export function presentedCredential(request: RequestLike): string | undefined {
  const value = request.headers['x-api-key'] ?? request.headers.authorization;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * RATE_LIMIT_PER_MINUTE per credential, or per IP for requests without one. The credential is
 * only hashed here (it is checked later): a caller inventing credentials to dodge the limit gets
 * 401s, which count against its IP (see AuthFailureLimiter).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getTracker(request: RequestLike): Promise<string> {
    const credential = presentedCredential(request);
    if (credential)
      return Promise.resolve(
        `credential:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}`,
      );
    return Promise.resolve(`ip:${request.ip ?? 'unknown'}`);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}
