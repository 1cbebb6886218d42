import { INVALID_PRICE_REASONS } from '../../common/errors/domain-errors';
import { ErrorCode } from '../../common/errors/error-code';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { EstimatesDto } from '../../changes/dto/estimates.dto';
import { IsProviderMetadata } from '../../common/validation/metadata';
import { PROVIDER_ID_PATTERN } from '../../common/validation/provider-id';
import { RedirectUrl } from '../../common/validation/redirect-url';

export const MAX_QUANTITY = 999_999;

/** The checkout document's body, with the checkout options in camelCase (docs/api.md#checkout). */
export class CreateCheckoutRequest {
  @ApiPropertyOptional({
    description:
      'An existing subscription of the account to change: with `priceId` a plan change, with `quantity` alone a ' +
      'quantity update. Without it, a new subscription (or a one-time payment).',
    example: 'sub_sbx_0123456789abcdef01234567',
  })
  @IsOptional()
  @IsString({ message: 'subscriptionId must be a subscription ID' })
  @Matches(PROVIDER_ID_PATTERN, { message: 'subscriptionId must be a subscription ID' })
  subscriptionId?: string;

  // Optional in the schema because a quantity update has none; the validator requires it otherwise.
  @ApiPropertyOptional({
    description:
      'Stripe price ID for the plan. Required, except for a quantity update (`subscriptionId` with `quantity` ' +
      'alone). GET /api/prices lists the prices on offer.',
    example: 'price_1ABC123XYZ',
  })
  @ValidateIf(
    (body: CreateCheckoutRequest) => body.subscriptionId === undefined || body.priceId !== undefined,
  )
  @IsDefined({ message: 'priceId is required' })
  @IsString({ message: 'Invalid price ID' })
  @Matches(PROVIDER_ID_PATTERN, { message: 'Invalid price ID' })
  priceId!: string;

  // No `format: uri`: the placeholder's braces are not allowed in a URI, and the service takes them.
  @ApiProperty({
    description:
      'URL to redirect after successful checkout (absolute http(s), on an allowed origin). A ' +
      '`{CHECKOUT_SESSION_ID}` placeholder is passed to the provider intact and replaced by the session id ' +
      'on the way back.',
    example: 'https://app.example.com/dashboard?checkout=success&session_id={CHECKOUT_SESSION_ID}',
  })
  @IsDefined({ message: 'successUrl is required' })
  @RedirectUrl()
  successUrl!: string;

  @ApiProperty({
    format: 'uri',
    description: 'URL to redirect if checkout is cancelled',
    example: 'https://app.example.com/pricing?checkout=cancelled',
  })
  @IsDefined({ message: 'cancelUrl is required' })
  @RedirectUrl()
  cancelUrl!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 500 },
    maxProperties: 49,
    description:
      'Additional metadata to attach to the session and passed through to the subscription (or the payment). ' +
      "Stripe's limits: 50 keys (one is the service's own accountId, which always wins), keys up to 40 " +
      'characters, values up to 500.',
    example: { plan: 'pro', referralCode: 'FRIEND20' },
  })
  @IsOptional()
  @IsProviderMetadata()
  // Taken as sent: class-transformer would drop keys such as "constructor" or "toString".
  @Transform(({ obj }: { obj: { metadata?: unknown } }) => obj.metadata, { toClassOnly: true })
  metadata?: Record<string, string>;

  @ApiPropertyOptional({
    enum: ['immediate', 'period_end'],
    description:
      'For a change: when it applies. By default an upgrade (a longer interval, more seats, a higher amount per ' +
      'year) applies now with the proration charged, and a downgrade at the end of the period.',
    example: 'immediate',
  })
  @IsOptional()
  @IsIn(['immediate', 'period_end'], { message: 'timing must be immediate or period_end' })
  timing?: 'immediate' | 'period_end';

  @ApiPropertyOptional({
    default: false,
    description: 'For a change during a trial: end the trial with it (by default the trial is kept).',
  })
  @IsOptional()
  @IsBoolean({ message: 'endTrial must be true or false' })
  endTrial?: boolean;

  @ApiPropertyOptional({
    enum: ['subscription', 'payment'],
    default: 'subscription',
    description: 'Checkout mode: subscription, or payment (one-time)',
  })
  @IsOptional()
  @IsIn(['subscription', 'payment'], { message: 'mode must be subscription or payment' })
  mode?: 'subscription' | 'payment';

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_QUANTITY,
    default: 1,
    description: 'Quantity of items',
  })
  @IsOptional()
  @IsInt({ message: 'quantity must be a whole number' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(MAX_QUANTITY, { message: `quantity must be at most ${MAX_QUANTITY}` })
  quantity?: number;

  @ApiPropertyOptional({
    default: false,
    description: 'If true, allows checkout even if the account already has an active subscription',
  })
  @IsOptional()
  @IsBoolean({ message: 'allowExistingSubscription must be true or false' })
  allowExistingSubscription?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 30,
    maximum: 1440,
    default: 1440,
    description: 'How long the checkout stays open, in minutes (24 hours by default)',
  })
  @IsOptional()
  @IsInt({ message: 'expiresInMinutes must be a whole number' })
  @Min(30, { message: 'expiresInMinutes must be at least 30' })
  @Max(1440, { message: 'expiresInMinutes must be at most 1440' })
  expiresInMinutes?: number;
}

export const CHECKOUT_TYPES = ['new_subscription', 'payment', 'plan_change', 'quantity_update'] as const;
export type CheckoutType = (typeof CHECKOUT_TYPES)[number];

export class CheckoutSessionData {
  @ApiProperty({ description: 'Stripe checkout session ID', example: 'cs_test_1234567890abcdef' })
  sessionId!: string;

  @ApiProperty({
    description: 'URL to redirect the customer to',
    example: 'https://checkout.stripe.com/pay/cs_test_1234567890abcdef',
  })
  url!: string;

  @ApiProperty({
    enum: CHECKOUT_TYPES,
    description: 'What the checkout does, from the fields sent (seed 004).',
    example: 'new_subscription',
  })
  type!: CheckoutType;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-03T10:00:00.000Z' })
  expiresAt!: string;

  @ApiProperty({
    type: EstimatesDto,
    nullable: true,
    description: 'Previews: nothing is invoiced by them. Null when the price has no fixed amount.',
  })
  estimates!: EstimatesDto | null;
}

export class CreateCheckoutResponse {
  @ApiProperty({ example: true, enum: [true] })
  success!: true;

  @ApiProperty({ type: CheckoutSessionData })
  data!: CheckoutSessionData;
}

/** The codes the envelope can carry: all but the webhook endpoint's own (it answers `{error}`). */
const WEBHOOK_ONLY_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.INVALID_SIGNATURE,
  ErrorCode.WEBHOOK_NOT_STORED,
]);
const ERROR_CODES = Object.values(ErrorCode).filter((code) => !WEBHOOK_ONLY_CODES.has(code));

export class BillingErrorDetail {
  @ApiProperty({ enum: ERROR_CODES, example: 'BAD_REQUEST' })
  code!: string;

  @ApiProperty({ example: 'priceId is required' })
  message!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'What the caller can act on besides the message, when there is something. With `Invalid price ID` ' +
      `for a price the provider or the operator refuses: \`{reason}\`, one of ${INVALID_PRICE_REASONS.map((reason) => `\`${reason}\``).join(', ')}.`,
    example: { reason: 'archived' },
  })
  details?: Record<string, unknown>;
}

export class BillingErrorResponse {
  @ApiProperty({ example: false, enum: [false] })
  success!: false;

  @ApiProperty({ type: BillingErrorDetail })
  error!: BillingErrorDetail;
}
