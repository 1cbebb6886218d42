import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AccountsRepository } from '../accounts/accounts.repository';
import { BadRequestError } from '../common/errors/domain-errors';
import { assertMayActFor } from './acting-for';
import { Caller, Principal } from './principal';

interface AuthenticatedRequest {
  user?: Principal;
  caller?: Caller;
  body?: unknown;
  query?: Record<string, unknown>;
}

/**
 * Decides which account the request acts for (docs/api.md#account-override). `accountId` in the body or query
 * names another account only for a credential with the `admin` scope whose account is a
 * platform admin or holds a grant on the target: otherwise 403; an unknown target is 404.
 */
@Injectable()
export class AccountOverrideGuard implements CanActivate {
  constructor(private readonly accounts: AccountsRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.user!;
    const requested = requestedAccountId(request);
    request.caller = { principal, accountId: await this.resolve(principal, requested) };
    return true;
  }

  private async resolve(principal: Principal, requested: unknown): Promise<string> {
    if (requested === undefined) return principal.accountId;
    if (typeof requested !== 'string' || !isUUID(requested, 'all')) {
      throw new BadRequestError('accountId must be a UUID');
    }
    // UUIDs are case-insensitive; account ids are stored in lower case.
    const accountId = requested.toLowerCase();
    await assertMayActFor(this.accounts, principal, accountId);
    return accountId;
  }
}

function requestedAccountId(request: AuthenticatedRequest): unknown {
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, 'accountId')) {
    return (body as Record<string, unknown>).accountId;
  }
  return request.query?.accountId;
}
