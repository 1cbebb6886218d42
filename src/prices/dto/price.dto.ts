import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ProviderPrice } from '../../payments/payment-provider';
import { SANDBOX_PRICES } from '../../payments/sandbox/sandbox-prices';

export class PricesQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Use the test-mode credentials (STRIPE_TEST_SECRET_KEY); 404 when they are not configured.',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'testMode must be true or false' })
  testMode?: 'true' | 'false';
}

export class PriceView {
  @ApiProperty({ description: 'The id to pass as `priceId` to POST /api/billing/checkout.' })
  id!: string;

  @ApiProperty({ type: String, nullable: true, description: "The product's name, as the provider has it." })
  productName!: string | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description:
      'The amount per unit in the currency’s minor unit (cents); null when the price has no fixed amount.',
  })
  unitAmount!: number | null;

  @ApiProperty({ description: 'ISO 4217 currency code, lower case.' })
  currency!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    // null among the values too: OpenAPI 3.0's `nullable` does not widen an enum.
    enum: ['day', 'week', 'month', 'year', null],
    description: 'How often a recurring price bills; null for a one-time price.',
  })
  interval!: string | null;

  @ApiProperty({
    enum: ['recurring', 'one_time'],
    description: 'recurring: for `mode: subscription`; one_time: for `mode: payment`.',
  })
  kind!: 'recurring' | 'one_time';

  @ApiProperty({ description: 'Always true here: a retired price is not on offer.' })
  active!: boolean;
}

export const toPriceView = (price: ProviderPrice): PriceView => ({
  id: price.id,
  productName: price.productName,
  unitAmount: price.unitAmount,
  currency: price.currency,
  interval: price.type === 'recurring' ? price.interval : null,
  kind: price.type,
  active: price.active,
});

export class PricesResponse {
  @ApiProperty({
    type: [PriceView],
    // The sandbox's own catalogue, so that the example is what a sandbox instance answers.
    example: SANDBOX_PRICES.filter((price) => price.active).map(toPriceView),
  })
  prices!: PriceView[];
}
