import { Controller, Headers, HttpCode, Post, Req, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  InvalidSignatureError,
  RateLimitedError,
  WebhookNotStoredError,
} from '../common/errors/domain-errors';
import { ApiSimpleErrors, documentedError } from '../common/http/api-error-responses';
import { RequestWithRawBody } from '../common/http/body-parsers';
import { ErrorResponse } from '../common/http/error-response.dto';
import { WebhookReceivedResponse } from './webhook-received.dto';
import { WebhookRefusalInterceptor } from './webhook-refusal.interceptor';
import { WebhooksService } from './webhooks.service';

const EXAMPLE_EVENT = {
  id: 'evt_1QabcDEFghiJKL',
  object: 'event',
  type: 'customer.subscription.updated',
  created: 1795240000,
  livemode: false,
  data: {
    object: { id: 'sub_1QabcDEFghiJKL', object: 'subscription', status: 'active', customer: 'cus_1Qabc' },
  },
};

@ApiTags('webhooks')
// Verified deliveries are never limited (the provider sends bursts); refused ones are, per IP.
@SkipThrottle()
@UseInterceptors(WebhookRefusalInterceptor)
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('stripe')
  @HttpCode(200)
  @ApiOperation({
    // No credential: the Stripe-Signature over the body is what authenticates a delivery.
    security: [],
    summary: 'Receive a Stripe event',
    description:
      'Stripe calls this endpoint. The `Stripe-Signature` header is verified over the raw body (five ' +
      'minutes tolerance) before anything is read; each event id is applied once; events the service ' +
      'does not use are acknowledged with 200. A failure to store answers 500 so that Stripe retries. ' +
      'Deliveries that fail verification are limited per IP (429 past RATE_LIMIT_PER_MINUTE of them in ' +
      'a minute); verified ones never are.',
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 'Set by Stripe.' })
  @ApiBody({
    description:
      'A Stripe event, exactly as Stripe sends it (the signature covers these bytes). Handled: ' +
      'checkout.session.completed and .expired, customer.subscription.created, .updated and .deleted, ' +
      'invoice.paid and invoice.payment_failed; other types are acknowledged and ignored.',
    schema: { type: 'object', additionalProperties: true, example: EXAMPLE_EVENT },
  })
  @ApiOkResponse({
    description: 'Received (applied now, applied before, or of a type not used)',
    type: WebhookReceivedResponse,
  })
  @ApiSimpleErrors(
    ErrorResponse,
    documentedError(
      new InvalidSignatureError(),
      'Missing or invalid signature, or a timestamp older than five minutes',
    ),
    documentedError(
      new RateLimitedError(),
      'Too many deliveries from this IP failed verification in the last minute (see Retry-After)',
    ),
    documentedError(new WebhookNotStoredError(), 'The event could not be stored; Stripe retries it'),
  )
  async receiveStripeEvent(
    @Req() request: RequestWithRawBody,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookReceivedResponse> {
    const outcome = await this.webhooks.receive(request.rawBody, signature);
    return { received: true, outcome };
  }
}
