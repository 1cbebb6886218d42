import { AccountsRepository } from '../accounts/accounts.repository';
import {
  AccountNotFoundError,
  AdminScopeRequiredError,
  ForbiddenError,
} from '../common/errors/domain-errors';
import { ADMIN_SCOPE, Principal } from './principal';

/**
 * Whether a principal may act for an account (docs/api.md#account-override): its own, always;
 * another only with the admin scope and as a platform admin or the holder of a grant on it. An
 * account it may not know of is 404, one it knows but may not act for 403.
 */
export async function assertMayActFor(
  accounts: AccountsRepository,
  principal: Principal,
  accountId: string,
): Promise<void> {
  if (accountId === principal.accountId) return;
  if (!principal.scopes.has(ADMIN_SCOPE)) throw new AdminScopeRequiredError();
  const target = await accounts.findOverrideTarget(principal.accountId, accountId);
  if (!target) throw new AccountNotFoundError();
  if (!principal.platformAdmin && !target.granted) {
    throw new ForbiddenError('This credential has no grant on that account');
  }
}
