import { ApiProperty } from '@nestjs/swagger';

export class WebhookReceivedResponse {
  @ApiProperty({ example: true })
  received!: true;

  @ApiProperty({
    enum: ['applied', 'duplicate', 'ignored', 'rejected'],
    example: 'applied',
    description:
      'applied: first delivery; duplicate: delivered before; ignored: a type the service does not use; ' +
      'rejected: verified, but its data can never be stored (recorded with the reason, not retried)',
  })
  outcome!: 'applied' | 'duplicate' | 'ignored' | 'rejected';
}
