import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { AccountOverrideGuard } from './account-override.guard';
import { CredentialsGuard } from './credentials.guard';
import { Caller } from './principal';

export const API_KEY_SECURITY = 'apiKeyAuth';
export const BEARER_SECURITY = 'bearerAuth';

/** An endpoint for API keys and JWTs, with the admin `accountId` override of DESIGN.md §3. */
export const Authenticated = () =>
  applyDecorators(
    UseGuards(CredentialsGuard, AccountOverrideGuard),
    ApiSecurity(API_KEY_SECURITY),
    ApiBearerAuth(BEARER_SECURITY),
  );

/** The principal and the account the request acts for, as AccountOverrideGuard decided. */
export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller =>
    context.switchToHttp().getRequest<{ caller: Caller }>().caller,
);
