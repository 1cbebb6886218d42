import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { sandboxReturn } from '../common/http/api-examples';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import { Caller } from '../auth/principal';
import { AlreadySubscribedError } from '../common/errors/domain-errors';
import { AccountQuery } from '../common/http/account-query.dto';
import {
  ApiSimpleErrors,
  BAD_REQUEST,
  COMMON_ERRORS,
  documentedError,
  PROVIDER_CALL_ERRORS,
} from '../common/http/api-error-responses';
import { ErrorResponse } from '../common/http/error-response.dto';
import { ApiIdempotencyKey } from '../common/idempotency/api-idempotency-key.decorator';
import { CheckoutService } from './checkout.service';
import {
  CreateSubscriptionSessionRequest,
  CreateSubscriptionSessionResponse,
  SubscriptionSessionErrorResponse,
} from './dto/subscription-session.dto';

/** The subscriptions API's checkout: a session for the configured plan, in that API's shapes. */
@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionSessionsController {
  constructor(private readonly checkout: CheckoutService) {}

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
    examples: {
      sandbox: {
        summary: 'Against the sandbox (works as it is with npm start)',
        value: { successUrl: sandboxReturn('checkout=success') },
      },
      document: {
        summary: 'The sessions document’s example',
        value: {
          successUrl: 'https://chat.recoupable.com?subscription=success',
          accountId: '123e4567-e89b-12d3-a456-426614174000',
        },
      },
    },
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
    documentedError(
      new AlreadySubscribedError({ remedy: 'portal' }),
      'The account already has an active, trialing or past-due subscription',
    ),
    ...PROVIDER_CALL_ERRORS,
  )
  createSubscriptionSession(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateSubscriptionSessionRequest,
    @Query() _query: AccountQuery,
  ): Promise<CreateSubscriptionSessionResponse> {
    return this.checkout.startSubscriptionSession(caller, body.successUrl);
  }
}
