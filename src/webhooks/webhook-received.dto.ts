import { ApiProperty } from '@nestjs/swagger';

export class WebhookReceivedResponse {
  @ApiProperty({ example: true })
  received!: true;

  @ApiProperty({
    enum: ['applied', 'duplicate', 'ignored'],
    example: 'applied',
    description:
      'applied: first delivery; duplicate: delivered before; ignored: a type the service does not use',
  })
  outcome!: 'applied' | 'duplicate' | 'ignored';
}
