import { ApiProperty } from '@nestjs/swagger';
import { SUBSCRIPTION_STATUSES, SubscriptionStatus } from '../../payments/payment-provider';

export class PendingChangeView {
  @ApiProperty({ description: 'The price the subscription moves to.', example: 'price_sandbox_monthly' })
  priceId!: string;

  @ApiProperty({ example: 1 })
  quantity!: number;

  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-01T10:00:00.000Z' })
  effectiveAt!: string;
}

export class SubscriptionView {
  @ApiProperty({ description: "The provider's subscription id.", example: 'sub_1QabcDEFghiJKL' })
  id!: string;

  @ApiProperty({
    description: 'As the provider names it.',
    enum: SUBSCRIPTION_STATUSES,
    example: 'trialing',
  })
  status!: SubscriptionStatus;

  @ApiProperty({ nullable: true, type: String, example: 'price_1ABC123XYZ' })
  priceId!: string | null;

  @ApiProperty({ example: 1 })
  quantity!: number;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: '2026-12-21T10:00:00.000Z' })
  trialEnd!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  currentPeriodStart!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: '2026-12-21T10:00:00.000Z' })
  currentPeriodEnd!: string | null;

  @ApiProperty({ example: false })
  cancelAtPeriodEnd!: boolean;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description:
      'When the subscription ends: the period end when cancelAtPeriodEnd, or a fixed time; null otherwise.',
    example: null,
  })
  cancelAt!: string | null;

  @ApiProperty({
    type: PendingChangeView,
    nullable: true,
    description:
      'A change scheduled for the end of the period (a downgrade), until it takes effect or is withdrawn.',
  })
  pendingChange!: PendingChangeView | null;

  @ApiProperty({
    enum: ['live', 'test'],
    description: 'live: the main provider credentials; test: the test-mode ones (?testMode=true).',
    example: 'live',
  })
  mode!: 'live' | 'test';

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description:
      'How many other live (active, trialing or past-due) subscriptions the account has besides this one: ' +
      'made in the provider’s dashboard, or with allowExistingSubscription. 0 normally.',
    example: 0,
  })
  otherLiveSubscriptions!: number;
}

export class MySubscriptionResponse {
  @ApiProperty({
    type: SubscriptionView,
    nullable: true,
    description:
      'null when the account has none. With several, the one shown is a live one (active, trialing or ' +
      'past due) before any other, and of those the most recently recorded.',
  })
  subscription!: SubscriptionView | null;
}
