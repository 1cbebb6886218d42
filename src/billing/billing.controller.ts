import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import { ApiIdempotencyKey } from '../common/idempotency/api-idempotency-key.decorator';
import { Caller } from '../auth/principal';
import { AccountAndModeQuery } from '../subscriptions/dto/account-query.dto';
import { BillingService } from './billing.service';
import {
  BillingErrorResponse,
  CreateCheckoutRequest,
  CreateCheckoutResponse,
} from './dto/create-checkout.dto';

@ApiTags('billing')
@Controller('api/billing')
export class BillingController {
  constructor(private readonly billing: BillingService) {}

  @Post('checkout')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Create Checkout Session',
    description:
      'Initiates a hosted checkout session for a subscription (or a one-time payment with `mode: payment`). ' +
      'The session is valid for 24 hours unless `expiresInMinutes` says otherwise. Customers without a ' +
      'provider customer get one created automatically. Metadata is passed through to the subscription. ' +
      'Webhook events record the subscription after checkout completes. An open checkout of the same ' +
      'account, price, quantity and mode is returned again instead of a new one.',
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateCheckoutRequest })
  @ApiOkResponse({ type: CreateCheckoutResponse, description: 'Checkout session created' })
  @ApiBadRequestResponse({
    type: BillingErrorResponse,
    description: 'Missing or invalid fields, or `Invalid price ID`',
  })
  @ApiUnauthorizedResponse({ type: BillingErrorResponse, description: 'Authentication required' })
  @ApiForbiddenResponse({
    type: BillingErrorResponse,
    description: 'accountId names an account this credential may not act for',
  })
  @ApiNotFoundResponse({
    type: BillingErrorResponse,
    description: 'Unknown account, or test mode not configured',
  })
  @ApiConflictResponse({ type: BillingErrorResponse, description: 'ALREADY_SUBSCRIBED' })
  @ApiPayloadTooLargeResponse({ type: BillingErrorResponse, description: 'Body over 100 kB' })
  @ApiTooManyRequestsResponse({ type: BillingErrorResponse, description: 'RATE_LIMITED' })
  @ApiBadGatewayResponse({ type: BillingErrorResponse, description: 'PAYMENT_PROVIDER_ERROR' })
  @ApiServiceUnavailableResponse({ type: BillingErrorResponse, description: 'UNAVAILABLE' })
  async createCheckout(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateCheckoutRequest,
    @Query() query: AccountAndModeQuery,
  ): Promise<CreateCheckoutResponse> {
    const data = await this.billing.createCheckout(caller, body, query.testMode === 'true' ? 'test' : 'live');
    return { success: true, data };
  }
}
