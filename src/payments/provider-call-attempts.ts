import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<ProviderCallAttempts>();

/**
 * The HTTP attempts of one call through the PaymentProvider port, for its retry count. An
 * adapter reports each attempt it sends (`attempted`), wherever it is in the call's async work:
 * an attempt that repeats a request the call already sent (same method, path and idempotency key)
 * is a retry; a different request (the next page, a follow-up lookup) is not.
 */
export class ProviderCallAttempts {
  private readonly sent = new Set<string>();
  private repeated = 0;

  /** Attempts that repeated an earlier one of the same call. */
  get retries(): number {
    return this.repeated;
  }

  /** Runs the call with this record as the one its attempts are reported to. */
  run<T>(call: () => T): T {
    return current.run(this, call);
  }

  /** Reports an attempt (to the call in whose async work it is made; none: ignored). */
  static attempted(request: { method: string; path: string; idempotencyKey?: string }): void {
    const call = current.getStore();
    if (!call) return;
    const key = `${request.method} ${request.path} ${request.idempotencyKey ?? ''}`;
    if (call.sent.has(key)) call.repeated++;
    else call.sent.add(key);
  }
}
