import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import { Caller } from '../auth/principal';
import { ApiSimpleErrors, COMMON_ERRORS } from '../common/http/api-error-responses';
import { ErrorResponse } from '../common/http/error-response.dto';
import { alreadySubscribedMessage } from '../common/errors/domain-errors';
import { ApiIdempotencyKey } from '../common/idempotency/api-idempotency-key.decorator';
import { AccountAndModeQuery, AccountQuery } from './dto/account-query.dto';
import { MySubscriptionResponse } from './dto/my-subscription.dto';
import {
  CreateSubscriptionPortalRequest,
  CreateSubscriptionPortalResponse,
  SubscriptionPortalErrorResponse,
} from './dto/subscription-portal.dto';
import {
  CreateSubscriptionSessionRequest,
  CreateSubscriptionSessionResponse,
  SubscriptionSessionErrorResponse,
} from './dto/subscription-session.dto';
import { SubscriptionsService } from './subscriptions.service';

const BAD_REQUEST = 'Bad request - missing or invalid parameters';

@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post('sessions')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Create Subscription Session',
    description:
      'Create a checkout session to start a subscription for the authenticated account. Returns a hosted ' +
      'checkout URL that the client should redirect to. The session is pre-configured with a 30-day trial ' +
      'period. The trial length is configurable (TRIAL_DAYS) and a trial is given once per account. An account ' +
      'has at most one open subscription checkout: the same request gets the open session back, another one ' +
      '(a different successUrl, or a checkout from /api/billing/checkout) expires it first. An account with an ' +
      'active, trialing or past-due subscription gets 409.',
  })
  @ApiIdempotencyKey()
  @ApiBody({
    description: 'Session creation parameters',
    required: true,
    type: CreateSubscriptionSessionRequest,
  })
  @ApiOkResponse({
    description: 'Checkout session created successfully',
    type: CreateSubscriptionSessionResponse,
  })
  @ApiSimpleErrors(
    SubscriptionSessionErrorResponse,
    { status: 400, description: BAD_REQUEST, message: 'successUrl is required' },
    COMMON_ERRORS.unauthorized,
  )
  @ApiSimpleErrors(
    ErrorResponse,
    COMMON_ERRORS.forbidden,
    COMMON_ERRORS.unknownAccount,
    {
      status: 409,
      description: 'The account already has an active, trialing or past-due subscription',
      message: alreadySubscribedMessage('portal'),
    },
    COMMON_ERRORS.tooLarge,
    COMMON_ERRORS.idempotencyReused,
    COMMON_ERRORS.rateLimited,
    COMMON_ERRORS.providerFailed,
    COMMON_ERRORS.unavailable,
  )
  createSubscriptionSession(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateSubscriptionSessionRequest,
    @Query() _query: AccountQuery,
  ): Promise<CreateSubscriptionSessionResponse> {
    return this.subscriptions.createSubscriptionSession(caller, body.successUrl);
  }

  @Post('portal')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Create Subscription Portal',
    description:
      'Create a subscription management session for the authenticated account. Returns a hosted URL where ' +
      'the customer can update payment method, view invoices, or cancel. The client should redirect the user ' +
      'to that URL. Works for any account that has a billing customer, a cancelled one too; 404 otherwise.',
  })
  @ApiIdempotencyKey()
  @ApiBody({
    description: 'Portal session parameters',
    required: true,
    type: CreateSubscriptionPortalRequest,
  })
  @ApiOkResponse({
    description: 'Portal session created successfully',
    type: CreateSubscriptionPortalResponse,
  })
  @ApiSimpleErrors(
    SubscriptionPortalErrorResponse,
    { status: 400, description: BAD_REQUEST, message: 'returnUrl is required' },
    COMMON_ERRORS.unauthorized,
  )
  @ApiSimpleErrors(
    ErrorResponse,
    COMMON_ERRORS.forbidden,
    {
      status: 404,
      description: 'The account has no billing customer yet (or accountId names no account)',
      message: 'No billing customer exists for this account yet',
    },
    COMMON_ERRORS.tooLarge,
    COMMON_ERRORS.idempotencyReused,
    COMMON_ERRORS.rateLimited,
    COMMON_ERRORS.providerFailed,
    COMMON_ERRORS.unavailable,
  )
  createSubscriptionPortal(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateSubscriptionPortalRequest,
    @Query() _query: AccountQuery,
  ): Promise<CreateSubscriptionPortalResponse> {
    return this.subscriptions.createPortalSession(caller, body.returnUrl);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({
    summary: 'Get my subscription',
    description:
      "The account's subscription as the service knows it from the provider's webhooks: the live one " +
      '(active, trialing or past due) if any, else the most recent; `null` when there is none.',
  })
  @ApiOkResponse({ description: "The account's subscription, or null", type: MySubscriptionResponse })
  @ApiSimpleErrors(
    ErrorResponse,
    { status: 400, description: 'Invalid query parameters', message: 'accountId must be a UUID' },
    COMMON_ERRORS.unauthorized,
    COMMON_ERRORS.forbidden,
    {
      status: 404,
      description: 'Unknown account, or test mode not configured',
      message: 'Account not found',
    },
    COMMON_ERRORS.rateLimited,
    {
      status: 503,
      description: 'The database is unavailable (see Retry-After)',
      message: 'The service is temporarily unavailable; retry later',
    },
  )
  async getMySubscription(
    @CurrentCaller() caller: Caller,
    @Query() query: AccountAndModeQuery,
  ): Promise<MySubscriptionResponse> {
    const subscription = await this.subscriptions.findMySubscription(
      caller,
      query.testMode === 'true' ? 'test' : 'live',
    );
    return { subscription };
  }
}
