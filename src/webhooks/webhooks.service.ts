import { Injectable } from '@nestjs/common';
import { WebhookNotStoredError } from '../common/errors/domain-errors';
import { PaymentProvider } from '../payments/payment-provider';
import { ProcessOutcome, WebhookProcessor } from './webhook-processor.service';

@Injectable()
export class WebhooksService {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly processor: WebhookProcessor,
  ) {}

  /**
   * Has the provider verify a delivery (its signature, against each configured secret; a failure
   * is InvalidSignatureError), then applies it.
   */
  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<ProcessOutcome> {
    const event = this.provider.parseWebhook(rawBody ?? Buffer.alloc(0), signature);
    try {
      return await this.processor.process(event);
    } catch (error) {
      throw new WebhookNotStoredError(error);
    }
  }
}
