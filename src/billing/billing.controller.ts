import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { PROVIDER_ID_PATTERN } from '../common/validation/provider-id';
import { sandboxReturn } from '../common/http/api-examples';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import {
  AlreadySubscribedError,
  BadRequestError,
  ChangeInProgressError,
  ChangeNotConfirmableError,
  ChangePaymentFailedError,
  ChangeStaleError,
  CheckoutNotOpenError,
  NotFoundError,
  SubscriptionNotChangeableError,
} from '../common/errors/domain-errors';
import { ApiIdempotencyKey } from '../common/idempotency/api-idempotency-key.decorator';
import { Caller } from '../auth/principal';
import {
  ApiEnvelopeErrors,
  COMMON_ERRORS,
  documentedError,
  PROVIDER_CALL_ERRORS,
} from '../common/http/api-error-responses';
import { AccountAndModeQuery } from '../common/http/account-query.dto';
import { ChangesService } from '../changes/changes.service';
import {
  CheckoutDetailResponse,
  ConfirmChangeResponse,
  toChangeData,
} from '../changes/dto/change-checkout.dto';
import { CheckoutService, DEFAULT_CHECKOUT_EXPIRY_MINUTES } from '../checkout/checkout.service';
import {
  BillingErrorResponse,
  CreateCheckoutRequest,
  CreateCheckoutResponse,
} from '../checkout/dto/create-checkout.dto';
import { ProviderMode } from '../config/app-config';

const modeOf = (query: AccountAndModeQuery): ProviderMode => (query.testMode === 'true' ? 'test' : 'live');

const CHECKOUT_NOT_FOUND = documentedError(
  new NotFoundError('Checkout session not found'),
  'No checkout of the account has this id',
);

@ApiTags('billing')
@Controller('api/billing')
export class BillingController {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly changes: ChangesService,
  ) {}

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
      'Payment checkouts may be several; an identical one is given back.\n\n' +
      'The type comes from the fields (seed 004): no `subscriptionId` → a new subscription; `subscriptionId` and ' +
      '`priceId` → `plan_change`; `subscriptionId` and `quantity` alone → `quantity_update`. A change checkout is ' +
      'a preview with `estimates` that changes nothing until it is confirmed, on the hosted page `url` opens or ' +
      'with `POST /api/billing/checkout/{sessionId}/confirm`; it is used at most once.',
  })
  @ApiIdempotencyKey()
  @ApiBody({
    type: CreateCheckoutRequest,
    examples: {
      sandbox: {
        summary: 'A new subscription, against the sandbox (works as it is with npm start)',
        value: {
          priceId: 'price_sandbox_monthly',
          successUrl: sandboxReturn('checkout=success&session_id={CHECKOUT_SESSION_ID}'),
          cancelUrl: sandboxReturn('checkout=cancelled'),
          metadata: { plan: 'pro' },
        },
      },
      document: {
        summary: 'A new subscription (the checkout document’s example)',
        value: {
          priceId: 'price_1ABC123XYZ',
          successUrl: 'https://app.example.com/dashboard?checkout=success',
          cancelUrl: 'https://app.example.com/pricing?checkout=cancelled',
          metadata: { plan: 'pro', referralCode: 'FRIEND20' },
        },
      },
      planChange: {
        summary: 'Plan change: monthly to yearly (sandbox prices; use your subscription’s id)',
        value: {
          subscriptionId: 'sub_sbx_0123456789abcdef01234567',
          priceId: 'price_sandbox_yearly',
          successUrl: sandboxReturn('change=success&session_id={CHECKOUT_SESSION_ID}'),
          cancelUrl: sandboxReturn('change=cancelled'),
        },
      },
      quantityUpdate: {
        summary: 'Quantity update: 5 seats (use your subscription’s id)',
        value: {
          subscriptionId: 'sub_sbx_0123456789abcdef01234567',
          quantity: 5,
          successUrl: sandboxReturn('change=success&session_id={CHECKOUT_SESSION_ID}'),
          cancelUrl: sandboxReturn('change=cancelled'),
        },
      },
    },
  })
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
    documentedError(
      new SubscriptionNotChangeableError(
        'past_due',
        'The subscription cannot be changed: its latest payment failed',
      ),
      'A change of a subscription that cannot change now (past due, unpaid, incomplete, canceled, set to end, ' +
        'a change already scheduled, a schedule not made by this service)',
    ),
    documentedError(
      new ChangeNotConfirmableError('the portal configuration does not offer this price'),
      "A change the provider's hosted page cannot confirm (its billing portal settings)",
    ),
    ...PROVIDER_CALL_ERRORS,
  )
  async createCheckout(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateCheckoutRequest,
    @Query() query: AccountAndModeQuery,
  ): Promise<CreateCheckoutResponse> {
    if (body.subscriptionId === undefined) {
      const data = await this.checkout.startBillingCheckout(caller, body, modeOf(query));
      return { success: true, data };
    }
    if (body.mode === 'payment') throw new BadRequestError('mode must be subscription for a change');
    if (body.allowExistingSubscription !== undefined)
      throw new BadRequestError('allowExistingSubscription does not apply to a change');
    if (body.priceId === undefined && body.quantity === undefined)
      throw new BadRequestError('priceId or quantity is required to change a subscription');
    const change = await this.changes.preview(
      caller,
      {
        subscriptionId: body.subscriptionId,
        priceId: body.priceId,
        quantity: body.quantity,
        timing: body.timing,
        endTrial: body.endTrial,
        successUrl: body.successUrl,
        cancelUrl: body.cancelUrl,
        expiresInMinutes: body.expiresInMinutes ?? DEFAULT_CHECKOUT_EXPIRY_MINUTES,
      },
      modeOf(query),
    );
    return { success: true, data: toChangeData(change) };
  }

  @Get('checkout/:sessionId')
  @Authenticated()
  @ApiOperation({
    summary: 'Get a checkout session',
    description: "A checkout of the account's: its type, status and estimates (and for a change, its terms).",
  })
  @ApiParam({ name: 'sessionId', example: 'chg_0123456789abcdef01234567' })
  @ApiOkResponse({ type: CheckoutDetailResponse })
  @ApiEnvelopeErrors(
    BillingErrorResponse,
    { status: 400, description: 'Invalid query parameters', message: 'accountId must be a UUID' },
    { ...COMMON_ERRORS.unauthorized, description: 'Authentication required' },
    COMMON_ERRORS.forbidden,
    CHECKOUT_NOT_FOUND,
    COMMON_ERRORS.rateLimited,
  )
  async getCheckout(
    @CurrentCaller() caller: Caller,
    @Param('sessionId') sessionId: string,
    @Query() _query: AccountAndModeQuery,
  ): Promise<CheckoutDetailResponse> {
    if (!PROVIDER_ID_PATTERN.test(sessionId)) throw new NotFoundError('Checkout session not found');
    const change = await this.changes.find(caller, sessionId);
    if (change) return { success: true, data: toChangeData(change) };
    const checkout = await this.checkout.describe(caller, sessionId);
    if (!checkout) throw new NotFoundError('Checkout session not found');
    return { success: true, data: checkout };
  }

  @Post('checkout/:sessionId/confirm')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Confirm a change checkout',
    description:
      'Applies a plan change or quantity update on the terms its preview showed (the same proration date, items ' +
      'and trial handling), at most once: now, or scheduled for the end of the period. If the subscription changed ' +
      'since the preview, 409 CHANGE_STALE with a fresh preview in `error.details.checkout`; a failed charge, 402 ' +
      'with the invoice to pay, and the subscription keeps its terms.',
  })
  @ApiParam({ name: 'sessionId', example: 'chg_0123456789abcdef01234567' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ConfirmChangeResponse })
  @ApiEnvelopeErrors(
    BillingErrorResponse,
    { status: 400, description: 'Invalid query parameters', message: 'accountId must be a UUID' },
    { ...COMMON_ERRORS.unauthorized, description: 'Authentication required' },
    documentedError(
      new ChangePaymentFailedError('https://invoice.stripe.com/i/acct_123/test_123'),
      'The charge failed',
    ),
    COMMON_ERRORS.forbidden,
    CHECKOUT_NOT_FOUND,
    documentedError(new CheckoutNotOpenError('applied'), 'Confirmed already, expired or cancelled'),
    documentedError(new ChangeInProgressError(), 'Another change of the subscription is being confirmed'),
    documentedError(new ChangeStaleError('price'), 'The subscription changed since the preview'),
    ...PROVIDER_CALL_ERRORS,
  )
  async confirmChange(
    @CurrentCaller() caller: Caller,
    @Param('sessionId') sessionId: string,
    @Query() _query: AccountAndModeQuery,
  ): Promise<ConfirmChangeResponse> {
    if (!PROVIDER_ID_PATTERN.test(sessionId)) throw new NotFoundError('Checkout session not found');
    const confirmed = await this.changes.confirmFor(caller, sessionId);
    return {
      success: true,
      data: { ...toChangeData(confirmed.checkout), subscription: confirmed.subscription },
    };
  }
}
