import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { CredentialRateLimitGuard, LimitedPerCredential } from '../rate-limit/rate-limit.guard';
import { AccountOverrideGuard } from './account-override.guard';
import { CredentialsGuard } from './credentials.guard';
import { Caller } from './principal';

export const API_KEY_SECURITY = 'apiKeyAuth';
export const BEARER_SECURITY = 'bearerAuth';

/**
 * An endpoint for API keys and JWTs, rate-limited per credential once it has authenticated, with
 * the admin `accountId` override.
 */
export const Authenticated = () =>
  applyDecorators(
    LimitedPerCredential(),
    UseGuards(CredentialsGuard, CredentialRateLimitGuard, AccountOverrideGuard),
    ApiSecurity(API_KEY_SECURITY),
    ApiBearerAuth(BEARER_SECURITY),
  );

/** The principal and the account the request acts for, as AccountOverrideGuard decided. */
export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller =>
    context.switchToHttp().getRequest<{ caller: Caller }>().caller,
);
