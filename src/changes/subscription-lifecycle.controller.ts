import { Body, Controller, Delete, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import { Caller } from '../auth/principal';
import { NotFoundError, SubscriptionNotChangeableError } from '../common/errors/domain-errors';
import {
  ApiSimpleErrors,
  COMMON_ERRORS,
  documentedError,
  PROVIDER_CALL_ERRORS,
} from '../common/http/api-error-responses';
import { AccountQuery } from '../common/http/account-query.dto';
import { ErrorResponse } from '../common/http/error-response.dto';
import { ApiIdempotencyKey } from '../common/idempotency/api-idempotency-key.decorator';
import { AccountBody, CancelSubscriptionRequest, SubscriptionResponse } from './dto/lifecycle.dto';
import { SubscriptionLifecycleService } from './lifecycle.service';

const NO_SUBSCRIPTION = documentedError(
  new NotFoundError('No subscription exists for this account'),
  'The account has no subscription (or accountId names no account)',
);

@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionLifecycleController {
  constructor(private readonly lifecycle: SubscriptionLifecycleService) {}

  @Post('cancel')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Cancel the subscription',
    description:
      "Ends the account's current subscription at the end of the period (the default; `cancelAt` in the answer " +
      'says when), or at once with `atPeriodEnd: false`. A change scheduled by this service is withdrawn first.',
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: CancelSubscriptionRequest, required: false })
  @ApiOkResponse({ type: SubscriptionResponse, description: 'The subscription as it is now' })
  @ApiSimpleErrors(
    ErrorResponse,
    { status: 400, description: 'Invalid fields', message: 'atPeriodEnd must be true or false' },
    COMMON_ERRORS.unauthorized,
    COMMON_ERRORS.forbidden,
    NO_SUBSCRIPTION,
    documentedError(
      new SubscriptionNotChangeableError('canceled', 'The subscription is canceled'),
      'The subscription has ended, or already ends at the end of the period',
    ),
    ...PROVIDER_CALL_ERRORS,
  )
  async cancel(
    @CurrentCaller() caller: Caller,
    @Body() body: CancelSubscriptionRequest,
    @Query() _query: AccountQuery,
  ): Promise<SubscriptionResponse> {
    return { subscription: await this.lifecycle.cancel(caller, body.atPeriodEnd ?? true) };
  }

  @Post('resume')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Resume the subscription',
    description:
      'Takes back a cancellation that has not taken effect yet: the subscription renews as before.',
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: AccountBody, required: false })
  @ApiOkResponse({ type: SubscriptionResponse, description: 'The subscription as it is now' })
  @ApiSimpleErrors(
    ErrorResponse,
    { status: 400, description: 'Invalid fields', message: 'accountId must be a UUID' },
    COMMON_ERRORS.unauthorized,
    COMMON_ERRORS.forbidden,
    NO_SUBSCRIPTION,
    documentedError(
      new SubscriptionNotChangeableError('not_canceling', 'The subscription is not set to end'),
      'The subscription is not set to end, or has ended already',
    ),
    ...PROVIDER_CALL_ERRORS,
  )
  async resume(
    @CurrentCaller() caller: Caller,
    @Body() _body: AccountBody,
    @Query() _query: AccountQuery,
  ): Promise<SubscriptionResponse> {
    return { subscription: await this.lifecycle.resume(caller) };
  }

  @Delete('pending-change')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Withdraw the scheduled change',
    description:
      'Withdraws the change scheduled for the end of the period (`pendingChange` in `me`): the subscription keeps its terms.',
  })
  @ApiOkResponse({ type: SubscriptionResponse, description: 'The subscription as it is now' })
  @ApiSimpleErrors(
    ErrorResponse,
    { status: 400, description: 'Invalid query parameters', message: 'accountId must be a UUID' },
    COMMON_ERRORS.unauthorized,
    COMMON_ERRORS.forbidden,
    documentedError(
      new NotFoundError('No change is scheduled'),
      'No change is scheduled (or no subscription)',
    ),
    ...PROVIDER_CALL_ERRORS,
  )
  async withdraw(
    @CurrentCaller() caller: Caller,
    @Query() _query: AccountQuery,
  ): Promise<SubscriptionResponse> {
    return { subscription: await this.lifecycle.withdrawPendingChange(caller) };
  }
}
