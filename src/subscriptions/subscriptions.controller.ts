import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import { ApiIdempotencyKey } from '../common/idempotency/api-idempotency-key.decorator';
import { Caller } from '../auth/principal';
import { ErrorResponse } from '../common/http/error-response.dto';
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
      'period. The trial length is configurable (TRIAL_DAYS) and a trial is given once per account. An open ' +
      'session for the account is returned again rather than duplicated; an account with an active, trialing ' +
      'or past-due subscription gets 409.',
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
  @ApiBadRequestResponse({
    description: 'Bad request - missing or invalid parameters',
    type: SubscriptionSessionErrorResponse,
  })
  @ApiUnauthorizedResponse({
    description: 'Unauthorized - invalid or missing authentication',
    type: SubscriptionSessionErrorResponse,
  })
  @ApiForbiddenResponse({
    description: 'accountId names an account this credential may not act for',
    type: ErrorResponse,
  })
  @ApiNotFoundResponse({ description: 'accountId names no account', type: ErrorResponse })
  @ApiConflictResponse({ description: 'The account already has an active subscription', type: ErrorResponse })
  @ApiTooManyRequestsResponse({ description: 'Rate limited', type: ErrorResponse })
  @ApiBadGatewayResponse({ description: 'The payment provider failed', type: ErrorResponse })
  @ApiServiceUnavailableResponse({
    description: 'The provider or the database is unavailable',
    type: ErrorResponse,
  })
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
  @ApiBadRequestResponse({
    description: 'Bad request - missing or invalid parameters',
    type: SubscriptionPortalErrorResponse,
  })
  @ApiUnauthorizedResponse({
    description: 'Unauthorized - invalid or missing authentication',
    type: SubscriptionPortalErrorResponse,
  })
  @ApiForbiddenResponse({
    description: 'accountId names an account this credential may not act for',
    type: ErrorResponse,
  })
  @ApiNotFoundResponse({ description: 'The account has no billing customer yet', type: ErrorResponse })
  @ApiTooManyRequestsResponse({ description: 'Rate limited', type: ErrorResponse })
  @ApiBadGatewayResponse({ description: 'The payment provider failed', type: ErrorResponse })
  @ApiServiceUnavailableResponse({
    description: 'The provider or the database is unavailable',
    type: ErrorResponse,
  })
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
  @ApiOkResponse({ type: MySubscriptionResponse })
  @ApiBadRequestResponse({ description: 'Invalid query', type: ErrorResponse })
  @ApiUnauthorizedResponse({ description: 'Invalid or missing authentication', type: ErrorResponse })
  @ApiForbiddenResponse({
    description: 'accountId names an account this credential may not act for',
    type: ErrorResponse,
  })
  @ApiNotFoundResponse({ description: 'Unknown account, or test mode not configured', type: ErrorResponse })
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
