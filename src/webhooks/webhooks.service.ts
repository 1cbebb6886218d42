import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-errors';
import { ErrorCode } from '../common/errors/error-code';
import { PaymentEvent, PaymentProvider } from '../payments/payment-provider';
import { ProcessOutcome, WebhookProcessor } from './webhook-processor.service';
import { WebhookRefusedError } from './webhook-refusals';

/** A webhook that was verified but could not be stored: 500, so that the provider retries it. */
export class WebhookNotStoredError extends DomainError {
  constructor(cause: unknown) {
    super(ErrorCode.INTERNAL_ERROR, 'The event could not be stored; it will be retried', { cause });
  }
}

@Injectable()
export class WebhooksService {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly processor: WebhookProcessor,
  ) {}

  /** Has the provider verify a delivery (its signature, against each configured secret), then applies it. */
  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<ProcessOutcome> {
    const event = this.verify(rawBody ?? Buffer.alloc(0), signature);
    try {
      return await this.processor.process(event);
    } catch (error) {
      throw new WebhookNotStoredError(error);
    }
  }

  private verify(rawBody: Buffer, signature: string | undefined): PaymentEvent {
    try {
      return this.provider.parseWebhook(rawBody, signature);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // The SDK's own wording can be long and technical; the reason is logged, the caller told plainly.
      throw new WebhookRefusedError(error instanceof Error ? error.message : String(error));
    }
  }
}
