import { Injectable } from '@nestjs/common';
import { InvalidSignatureError, WebhookNotStoredError } from '../common/errors/domain-errors';
import { MetricsService } from '../metrics/metrics.service';
import { PaymentEvent, PaymentProvider } from '../payments/payment-provider';
import { ProcessOutcome, WebhookProcessor } from './webhook-processor.service';

/** The type counted for deliveries that failed verification: their body is nobody's word. */
const UNVERIFIED_TYPE = 'unverified';

@Injectable()
export class WebhooksService {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly processor: WebhookProcessor,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Has the provider verify a delivery (its signature, against each configured secret; a failure
   * is InvalidSignatureError), then applies it.
   */
  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<ProcessOutcome> {
    let event: PaymentEvent;
    try {
      event = this.provider.parseWebhook(rawBody ?? Buffer.alloc(0), signature);
    } catch (error) {
      const outcome = error instanceof InvalidSignatureError ? 'refused' : 'failed';
      this.metrics.webhookEvent(UNVERIFIED_TYPE, outcome);
      throw error;
    }
    const lagSeconds = (Date.now() - event.created.getTime()) / 1000;
    try {
      const outcome = await this.processor.process(event);
      this.metrics.webhookEvent(event.type, outcome, lagSeconds);
      return outcome;
    } catch (error) {
      this.metrics.webhookEvent(event.type, 'failed', lagSeconds);
      throw new WebhookNotStoredError(error);
    }
  }
}
