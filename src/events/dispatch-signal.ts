import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/**
 * How the outbox tells this instance's dispatcher that deliveries are waiting (after the
 * transaction that wrote them committed), so that it need not wait for its next poll.
 */
@Injectable()
export class DispatchSignal {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly config: AppConfig) {}

  /** How long a delivery is retried before it is parked. */
  get retryForMs(): number {
    return this.config.events.retryForMs;
  }

  wake(): void {
    for (const listener of this.listeners) listener();
  }

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
