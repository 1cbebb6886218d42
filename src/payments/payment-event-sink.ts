import { Transaction } from '../database/database';
import { PaymentEvent } from './payment-provider';

/**
 * Where a provider adapter that reports outcomes itself (the sandbox) hands its events: the same
 * processing as the provider's webhooks. The application provides it; the adapter depends only on
 * this port.
 */
export abstract class PaymentEventSink {
  /** Applies an event on its own, as a webhook delivery is applied. */
  abstract process(event: PaymentEvent): Promise<unknown>;

  /**
   * Applies an event inside the adapter's transaction, with its own objects: every subscription
   * state the event needs is carried by it, and is current.
   */
  abstract processWithin(event: PaymentEvent, tx: Transaction): Promise<unknown>;
}
