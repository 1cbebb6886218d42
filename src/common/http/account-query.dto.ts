import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

export class AccountQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Act for another account: needs the admin scope, and a grant or platform admin.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'accountId must be a UUID' })
  accountId?: string;
}

export class AccountAndModeQuery extends AccountQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Use the test-mode credentials (STRIPE_TEST_SECRET_KEY); 404 when they are not configured.',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'testMode must be true or false' })
  testMode?: 'true' | 'false';
}
