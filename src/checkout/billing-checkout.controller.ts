import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import { AlreadySubscribedError } from '../common/errors/domain-errors';
import { ApiIdempotencyKey } from '../common/idempotency/api-idempotency-key.decorator';
import { Caller } from '../auth/principal';
import {
  ApiEnvelopeErrors,
  COMMON_ERRORS,
  documentedError,
  PROVIDER_CALL_ERRORS,
} from '../common/http/api-error-responses';
import { AccountAndModeQuery } from '../common/http/account-query.dto';
import { CheckoutService } from './checkout.service';
import {
  BillingErrorResponse,
  CreateCheckoutRequest,
  CreateCheckoutResponse,
} from './dto/create-checkout.dto';

@ApiTags('billing')
@Controller('api/billing')
export class BillingController {
  constructor(private readonly checkout: CheckoutService) {}

  @Post('checkout')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Create Checkout Session',
    description:
      'Initiates a hosted checkout session for a subscription (or a one-time payment with `mode: payment`). ' +
      'The session is valid for 24 hours unless `expiresInMinutes` says otherwise. Customers without a ' +
      'provider customer get one created automatically. Metadata is passed through to the subscription. ' +
      'Webhook events record the subscription after checkout completes. An account has at most one open ' +
      'subscription checkout: a request identical to it (price, quantity, URLs, metadata, expiry) gets it back, ' +
      'any other expires it at the provider first (409 ALREADY_SUBSCRIBED if the person completed it meanwhile). ' +
      'Payment checkouts may be several; an identical one is given back.',
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateCheckoutRequest })
  @ApiOkResponse({ type: CreateCheckoutResponse, description: 'Checkout session created' })
  @ApiEnvelopeErrors(
    BillingErrorResponse,
    {
      status: 400,
      description: 'Missing or invalid fields, or a price the operator does not offer (`Invalid price ID`)',
      message: 'priceId is required',
    },
    { ...COMMON_ERRORS.unauthorized, description: 'Authentication required' },
    COMMON_ERRORS.forbidden,
    {
      status: 404,
      description: 'Unknown account, or test mode not configured',
      message: 'Test mode is not configured',
    },
    documentedError(
      new AlreadySubscribedError({ remedy: 'allowExistingSubscription' }),
      'The account already has an active, trialing or past-due subscription',
    ),
    ...PROVIDER_CALL_ERRORS,
  )
  async createCheckout(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateCheckoutRequest,
    @Query() query: AccountAndModeQuery,
  ): Promise<CreateCheckoutResponse> {
    const data = await this.checkout.startBillingCheckout(
      caller,
      body,
      query.testMode === 'true' ? 'test' : 'live',
    );
    return { success: true, data };
  }
}
