import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { SubscriptionView } from '../../subscriptions/dto/my-subscription.dto';

export class AccountBody {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Act for another account: needs the admin scope, and a grant or platform admin.',
    example: '123e4567-e89b-12d3-a456-426614174000',
  })
  @IsOptional()
  @IsUUID('all', { message: 'accountId must be a UUID' })
  accountId?: string;
}

export class CancelSubscriptionRequest extends AccountBody {
  @ApiPropertyOptional({
    default: true,
    description: 'End at the end of the current period (the default), or at once with false.',
  })
  @IsOptional()
  @IsBoolean({ message: 'atPeriodEnd must be true or false' })
  atPeriodEnd?: boolean;
}

export class SubscriptionResponse {
  @ApiProperty({ type: SubscriptionView })
  subscription!: SubscriptionView;
}
