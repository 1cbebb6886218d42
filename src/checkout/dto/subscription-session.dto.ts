import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsUUID } from 'class-validator';
import { RedirectUrl } from '../../common/validation/redirect-url';

// The class names are the sessions document's schema names (docs/api.md#sources), so OpenAPI matches it.

export class CreateSubscriptionSessionRequest {
  @ApiProperty({
    format: 'uri',
    description: 'The URL to redirect to after a successful payment.',
    example: 'https://chat.recoupable.com?subscription=success',
  })
  @IsDefined({ message: 'successUrl is required' })
  @RedirectUrl()
  successUrl!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'UUID of the account to create the session for. Only applicable when the authenticated account has ' +
      "admin access to multiple accounts. If not provided, creates a session for the API key's own account.",
    example: '123e4567-e89b-12d3-a456-426614174000',
  })
  @IsOptional()
  @IsUUID('all', { message: 'accountId must be a UUID' })
  accountId?: string;
}

export class CreateSubscriptionSessionResponse {
  @ApiProperty({ description: 'The checkout session ID.', example: 'cs_test_a1b2c3d4e5f6g7h8i9j0' })
  id!: string;

  @ApiProperty({
    format: 'uri',
    description: 'The hosted checkout URL. Redirect to this URL to complete the payment.',
    example: 'https://checkout.stripe.com/pay/cs_test_a1b2c3d4e5f6g7h8i9j0',
  })
  url!: string;
}

export class SubscriptionSessionErrorResponse {
  @ApiProperty({ description: 'Human-readable error message.', example: 'successUrl is required' })
  error!: string;
}
