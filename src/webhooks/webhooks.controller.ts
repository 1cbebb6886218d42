import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiInternalServerErrorResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequestWithRawBody } from '../common/http/body-parsers';
import { ErrorResponse } from '../common/http/error-response.dto';
import { WebhookReceivedResponse } from './webhook-received.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@SkipThrottle()
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('stripe')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a Stripe event',
    description:
      'Stripe calls this endpoint. The `Stripe-Signature` header is verified over the raw body (five ' +
      'minutes tolerance) before anything is read; each event id is applied once; events the service ' +
      'does not use are acknowledged with 200. A failure to store answers 500 so that Stripe retries.',
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 'Set by Stripe.' })
  @ApiOkResponse({ type: WebhookReceivedResponse })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description: 'Missing or invalid signature, or a stale timestamp',
  })
  @ApiInternalServerErrorResponse({ type: ErrorResponse, description: 'The event could not be stored' })
  async receiveStripeEvent(
    @Req() request: RequestWithRawBody,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookReceivedResponse> {
    const outcome = await this.webhooks.receive(request.rawBody, signature);
    return { received: true, outcome };
  }
}
