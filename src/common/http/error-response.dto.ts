import { ApiProperty } from '@nestjs/swagger';

/** `{error}`: the error body of every endpoint outside /api/billing. */
export class ErrorResponse {
  @ApiProperty({ description: 'Human-readable error message.', example: 'Authentication required' })
  error!: string;
}
