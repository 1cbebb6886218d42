import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsDefined } from 'class-validator';
import { RedirectUrl } from '../../common/validation/redirect-url';

// The class names are the portal document's schema names (docs/api.md#sources), so OpenAPI matches it.

@ApiSchema({
  description:
    'Request body for creating a billing portal session. The account is determined from authentication ' +
    '(API key or session), not from this payload.',
})
export class CreateSubscriptionPortalRequest {
  @ApiProperty({
    format: 'uri',
    description: 'The URL to redirect to when the customer leaves the portal.',
    example: 'https://chat.recoupable.com/settings/billing',
  })
  @IsDefined({ message: 'returnUrl is required' })
  @RedirectUrl()
  returnUrl!: string;
}

export class CreateSubscriptionPortalResponse {
  @ApiProperty({ description: 'The portal session ID.', example: 'portal_sess_a1b2c3d4' })
  id!: string;

  @ApiProperty({
    format: 'uri',
    description: 'The hosted portal URL. Redirect to this URL so the customer can manage their subscription.',
    example: 'https://billing.example.com/manage/portal_sess_a1b2c3d4',
  })
  url!: string;
}

export class SubscriptionPortalErrorResponse {
  @ApiProperty({ description: 'Human-readable error message.', example: 'returnUrl is required' })
  error!: string;
}
