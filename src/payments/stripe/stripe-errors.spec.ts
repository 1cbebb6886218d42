import Stripe from 'stripe';
import {
  DomainError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
} from '../../common/errors/domain-errors';
import { ErrorCode } from '../../common/errors/error-code';
import { isResourceMissing, mapStripeError } from './stripe-errors';

type RawError = ConstructorParameters<typeof Stripe.errors.StripeError>[0];
const raw = (type: string, extra: Record<string, unknown> = {}) =>
  ({ type, message: `a ${type}`, ...extra }) as RawError;

describe(mapStripeError.name, () => {
  it.each([
    ['a connection failure or timeout', new Stripe.errors.StripeConnectionError(raw('api_connection_error'))],
    ['a rate limit', new Stripe.errors.StripeRateLimitError(raw('rate_limit_error', { statusCode: 429 }))],
  ])('should map %s to 503 ProviderUnavailableError', (_label, error) => {
    const sut = mapStripeError(error);

    expect(sut).toBeInstanceOf(ProviderUnavailableError);
    expect((sut as DomainError).code).toBe(ErrorCode.UNAVAILABLE);
    expect(sut.cause).toBe(error);
  });

  it.each([
    [
      'a Stripe 5xx or unreadable answer',
      new Stripe.errors.StripeAPIError(raw('api_error', { statusCode: 500 })),
    ],
    [
      'a refused request',
      new Stripe.errors.StripeInvalidRequestError(raw('invalid_request_error', { statusCode: 400 })),
    ],
    [
      'a bad secret key',
      new Stripe.errors.StripeAuthenticationError(raw('authentication_error', { statusCode: 401 })),
    ],
    [
      'a missing permission',
      new Stripe.errors.StripePermissionError(raw('invalid_request_error', { statusCode: 403 })),
    ],
    [
      'an idempotency conflict',
      new Stripe.errors.StripeIdempotencyError(raw('idempotency_error', { statusCode: 400 })),
    ],
    ['something that is not a Stripe error', new TypeError('boom')],
  ])('should map %s to 502 ProviderError', (_label, error) => {
    const sut = mapStripeError(error);

    expect(sut).toBeInstanceOf(ProviderError);
    expect((sut as DomainError).code).toBe(ErrorCode.PAYMENT_PROVIDER_ERROR);
  });

  it('should keep errors that are already the service’s own', () => {
    const error = new NotFoundError('Test mode is not configured');

    expect(mapStripeError(error)).toBe(error);
  });

  it('should never put Stripe’s message (which may echo parameters) in the caller-facing message', () => {
    const error = new Stripe.errors.StripeInvalidRequestError(
      raw('invalid_request_error', { message: 'Invalid API Key provided: sk_live_****1234' }),
    );

    expect(mapStripeError(error).message).not.toContain('sk_live');
  });
});

describe(isResourceMissing.name, () => {
  it('should recognise "No such …" answers only', () => {
    const missing = new Stripe.errors.StripeInvalidRequestError(
      raw('invalid_request_error', { code: 'resource_missing' }),
    );
    const other = new Stripe.errors.StripeInvalidRequestError(
      raw('invalid_request_error', { code: 'parameter_invalid' }),
    );

    expect(isResourceMissing(missing)).toBe(true);
    expect(isResourceMissing(other)).toBe(false);
    expect(isResourceMissing(new Error('resource_missing'))).toBe(false);
  });
});
