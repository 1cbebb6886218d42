import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CheckoutSessionData } from '../../checkout/dto/create-checkout.dto';
import { SubscriptionView } from '../../subscriptions/dto/my-subscription.dto';
import type { ChangeCheckout } from '../changes.service';
import { toEstimatesDto } from './estimates.dto';

export class ChangeTermsDto {
  @ApiProperty({ example: 'price_sandbox_monthly' })
  priceId!: string;

  @ApiProperty({ example: 3 })
  quantity!: number;
}

export class TrialEffectDto {
  @ApiProperty({
    enum: ['kept', 'ended', 'none'],
    description: 'What the change does to a running trial: kept until its end, ended now, or there is none.',
    example: 'none',
  })
  effect!: 'kept' | 'ended' | 'none';

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  endsAt!: string | null;
}

export const CHECKOUT_STATUSES = [
  'open',
  'complete',
  'expired',
  'applying',
  'applied',
  'scheduled',
  'withdrawn',
  'canceled',
  'stale',
  'payment_failed',
] as const;

/** A checkout as `GET /api/billing/checkout/{sessionId}` reads it. */
export class CheckoutDetailData extends CheckoutSessionData {
  @ApiProperty({
    enum: CHECKOUT_STATUSES,
    description:
      'A new subscription: open, complete or expired. A change: open (confirmable), applying, applied, scheduled ' +
      '(at period end), withdrawn, canceled, expired, stale (the subscription changed first) or payment_failed.',
    example: 'open',
  })
  status!: string;

  @ApiPropertyOptional({
    description: 'A change: the subscription it changes.',
    example: 'sub_sbx_0123456789abcdef01234567',
  })
  subscriptionId?: string;

  @ApiPropertyOptional({ type: ChangeTermsDto, description: 'A change: the terms now.' })
  from?: ChangeTermsDto;

  @ApiPropertyOptional({ type: ChangeTermsDto, description: 'A change: the new terms.' })
  to?: ChangeTermsDto;

  @ApiPropertyOptional({ enum: ['immediate', 'period_end'], example: 'immediate' })
  timing?: 'immediate' | 'period_end';

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'A change: when the new terms take effect.',
    example: '2026-12-11T10:00:00.000Z',
  })
  effectiveAt?: string;

  @ApiPropertyOptional({ type: TrialEffectDto })
  trial?: TrialEffectDto;
}

export class CheckoutDetailResponse {
  @ApiProperty({ example: true, enum: [true] })
  success!: true;

  @ApiProperty({ type: CheckoutDetailData })
  data!: CheckoutDetailData;
}

export class ConfirmedChangeData extends CheckoutDetailData {
  @ApiProperty({
    type: SubscriptionView,
    nullable: true,
    description: 'The subscription as `me` shows it now.',
  })
  subscription!: SubscriptionView | null;
}

export class ConfirmChangeResponse {
  @ApiProperty({ example: true, enum: [true] })
  success!: true;

  @ApiProperty({ type: ConfirmedChangeData })
  data!: ConfirmedChangeData;
}

export function toChangeData(checkout: ChangeCheckout): CheckoutDetailData {
  return {
    sessionId: checkout.sessionId,
    url: checkout.url,
    type: checkout.type,
    status: checkout.status,
    expiresAt: checkout.expiresAt.toISOString(),
    estimates: toEstimatesDto(checkout.estimates),
    subscriptionId: checkout.subscriptionId,
    from: checkout.from,
    to: checkout.to,
    timing: checkout.timing,
    effectiveAt: checkout.effectiveAt.toISOString(),
    trial: { effect: checkout.trial.effect, endsAt: checkout.trial.endsAt?.toISOString() ?? null },
  };
}
