import { HttpStatus } from '@nestjs/common';

export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_SUBSCRIBED: 'ALREADY_SUBSCRIBED',
  CHECKOUT_IN_PROGRESS: 'CHECKOUT_IN_PROGRESS',
  CHECKOUT_NOT_OPEN: 'CHECKOUT_NOT_OPEN',
  CHANGE_IN_PROGRESS: 'CHANGE_IN_PROGRESS',
  CHANGE_STALE: 'CHANGE_STALE',
  SUBSCRIPTION_NOT_CHANGEABLE: 'SUBSCRIPTION_NOT_CHANGEABLE',
  HOSTED_CONFIRM_UNAVAILABLE: 'HOSTED_CONFIRM_UNAVAILABLE',
  PAYMENT_FAILED: 'PAYMENT_FAILED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_USE: 'IDEMPOTENCY_KEY_IN_USE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYMENT_PROVIDER_ERROR: 'PAYMENT_PROVIDER_ERROR',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  WEBHOOK_NOT_STORED: 'WEBHOOK_NOT_STORED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one place where error codes meet HTTP: a new code without a status does not compile. */
export const ERROR_STATUS: Record<ErrorCode, HttpStatus> = {
  BAD_REQUEST: HttpStatus.BAD_REQUEST,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  ALREADY_SUBSCRIBED: HttpStatus.CONFLICT,
  CHECKOUT_IN_PROGRESS: HttpStatus.CONFLICT,
  CHECKOUT_NOT_OPEN: HttpStatus.CONFLICT,
  CHANGE_IN_PROGRESS: HttpStatus.CONFLICT,
  CHANGE_STALE: HttpStatus.CONFLICT,
  SUBSCRIPTION_NOT_CHANGEABLE: HttpStatus.CONFLICT,
  HOSTED_CONFIRM_UNAVAILABLE: HttpStatus.CONFLICT,
  PAYMENT_FAILED: HttpStatus.PAYMENT_REQUIRED,
  IDEMPOTENCY_KEY_REUSED: HttpStatus.UNPROCESSABLE_ENTITY,
  IDEMPOTENCY_KEY_IN_USE: HttpStatus.CONFLICT,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  PAYMENT_PROVIDER_ERROR: HttpStatus.BAD_GATEWAY,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
  INVALID_SIGNATURE: HttpStatus.BAD_REQUEST,
  // 5xx, so that the provider delivers the event again (docs/guarantees.md#g6).
  WEBHOOK_NOT_STORED: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** For errors that arrive as bare HTTP statuses (framework errors, throttling, routing). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return ErrorCode.UNAUTHORIZED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
    case 405:
      return ErrorCode.NOT_FOUND;
    case 413:
      return ErrorCode.PAYLOAD_TOO_LARGE;
    case 422:
      return ErrorCode.IDEMPOTENCY_KEY_REUSED;
    case 429:
      return ErrorCode.RATE_LIMITED;
    case 502:
      return ErrorCode.PAYMENT_PROVIDER_ERROR;
    case 503:
      return ErrorCode.UNAVAILABLE;
    default:
      return status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST;
  }
}
