import Stripe from 'stripe';
import { DomainError, ProviderError, ProviderUnavailableError } from '../../common/errors/domain-errors';

/**
 * Turns what the Stripe SDK throws into the service's errors. By the time an error gets here the
 * SDK has already retried what is safe to retry (with the same idempotency key).
 * - could not reach Stripe, timed out, rate limited: 503, worth retrying later;
 * - Stripe failed (5xx, unreadable answer) or refused our request (4xx): 502.
 */
export function mapStripeError(error: unknown): Error {
  if (error instanceof DomainError) return error;
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return new ProviderUnavailableError('The payment provider could not be reached; retry later', {
      cause: error,
    });
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    return new ProviderUnavailableError('The payment provider is rate limiting requests; retry later', {
      cause: error,
    });
  }
  if (error instanceof Stripe.errors.StripeAPIError) {
    return new ProviderError('The payment provider failed to answer', { cause: error });
  }
  if (error instanceof Stripe.errors.StripeError) {
    return new ProviderError('The payment provider rejected the request', { cause: error });
  }
  return new ProviderError('The payment provider call failed', { cause: error });
}

/** Stripe refused the request as it stands (a 400): retrying it unchanged cannot succeed. */
export function isInvalidRequest(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError;
}

/** Stripe's "No such price/subscription" answer: the object does not exist for these credentials. */
export function isResourceMissing(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing';
}
