import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { sandboxReturn } from '../common/http/api-examples';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import { Caller } from '../auth/principal';
import { AccountNotFoundError, DatabaseUnavailableError } from '../common/errors/domain-errors';
import {
  ApiSimpleErrors,
  BAD_REQUEST,
  COMMON_ERRORS,
  documentedError,
  PROVIDER_CALL_ERRORS,
} from '../common/http/api-error-responses';
import { ErrorResponse } from '../common/http/error-response.dto';
import { ApiIdempotencyKey } from '../common/idempotency/api-idempotency-key.decorator';
import { AccountAndModeQuery, AccountQuery } from '../common/http/account-query.dto';
import { MySubscriptionResponse } from './dto/my-subscription.dto';
import {
  CreateSubscriptionPortalRequest,
  CreateSubscriptionPortalResponse,
  SubscriptionPortalErrorResponse,
} from './dto/subscription-portal.dto';
import { SubscriptionsService } from './subscriptions.service';

@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

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
    examples: {
      sandbox: {
        summary: 'Against the sandbox (works as it is with npm start)',
        value: { returnUrl: sandboxReturn('portal=returned') },
      },
      document: {
        summary: 'The portal document’s example',
        value: { returnUrl: 'https://chat.recoupable.com/settings/billing' },
      },
    },
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
    ...PROVIDER_CALL_ERRORS,
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
    documentedError(new AccountNotFoundError(), 'Unknown account, or test mode not configured'),
    COMMON_ERRORS.rateLimited,
    documentedError(new DatabaseUnavailableError(), 'The database is unavailable (see Retry-After)'),
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
