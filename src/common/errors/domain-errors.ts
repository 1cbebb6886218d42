import { ErrorCode } from './error-code';

/** An error the service means to report: a code (and so a status) and a message for the caller. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.details = options?.details;
  }

  /** What the caller can act on besides the message (the envelope's `error.details`). */
  readonly details?: Record<string, unknown>;
}

export class BadRequestError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.BAD_REQUEST, message);
  }
}

/** Why a price cannot be bought or moved to (`error.details.reason`). */
export const INVALID_PRICE_REASONS = [
  'unknown',
  'archived',
  'one_time_in_subscription_mode',
  'recurring_in_payment_mode',
  'not_on_offer',
  'currency',
] as const;

export type InvalidPriceReason = (typeof INVALID_PRICE_REASONS)[number];

/**
 * Seed 002's `Invalid price ID`, word for word, whatever the problem; the reason goes in
 * `details` so that a caller can tell a typo from a retired plan without parsing the message.
 */
export class InvalidPriceError extends DomainError {
  constructor(readonly reason: InvalidPriceReason) {
    super(ErrorCode.BAD_REQUEST, 'Invalid price ID', { details: { reason } });
  }
}

export class UnauthorizedError extends DomainError {
  /** `hint`: how the request seems to have mis-sent its credential (see credentialHint). */
  constructor(message = 'Authentication required', hint?: string) {
    super(ErrorCode.UNAUTHORIZED, message, hint === undefined ? undefined : { details: { hint } });
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.FORBIDDEN, message);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.NOT_FOUND, message);
  }
}

/** `accountId` names no account (or none the caller may know of). */
export class AccountNotFoundError extends NotFoundError {
  constructor() {
    super('Account not found');
  }
}

/** `accountId` names another account, and the credential lacks the admin scope. */
export class AdminScopeRequiredError extends ForbiddenError {
  constructor() {
    super('Acting for another account needs a credential with the admin scope');
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, `Request body is larger than ${maxBytes / 1024} kB`);
  }
}

export class RateLimitedError extends DomainError {
  constructor() {
    super(ErrorCode.RATE_LIMITED, 'Too many requests; retry later');
  }
}

/**
 * What a caller whose account already has a subscription can do instead, in the terms of the
 * endpoint that answered: only /api/billing/checkout takes allowExistingSubscription.
 */
export const ALREADY_SUBSCRIBED_REMEDIES = {
  allowExistingSubscription: 'pass allowExistingSubscription to start another',
  portal: 'manage it in the billing portal (POST /api/subscriptions/portal)',
} as const;

export type AlreadySubscribedRemedy = keyof typeof ALREADY_SUBSCRIBED_REMEDIES;

export const alreadySubscribedMessage = (remedy: AlreadySubscribedRemedy): string =>
  `The account already has an active subscription; ${ALREADY_SUBSCRIBED_REMEDIES[remedy]}`;

export class AlreadySubscribedError extends DomainError {
  constructor(options: { remedy?: AlreadySubscribedRemedy } = {}) {
    super(
      ErrorCode.ALREADY_SUBSCRIBED,
      alreadySubscribedMessage(options.remedy ?? 'allowExistingSubscription'),
    );
  }
}

/** Another request is creating the same checkout right now and did not finish in time. */
export class CheckoutInProgressError extends DomainError {
  constructor() {
    super(
      ErrorCode.CHECKOUT_IN_PROGRESS,
      'The same checkout is being created by another request; retry shortly',
    );
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'Idempotency-Key was already used with a different request');
  }
}

/** A request with the same Idempotency-Key is still running and did not finish in time (docs/api.md#idempotency). */
export class IdempotencyKeyInUseError extends DomainError {
  constructor() {
    super(
      ErrorCode.IDEMPOTENCY_KEY_IN_USE,
      'A request with the same Idempotency-Key is still in progress; retry shortly',
    );
  }
}

/** The provider answered with an error that retrying will not fix (502). */
export class ProviderError extends DomainError {
  constructor(message = 'The payment provider rejected the request', options?: { cause?: unknown }) {
    super(ErrorCode.PAYMENT_PROVIDER_ERROR, message, options);
  }
}

/** The provider could not be reached or kept failing after retries (503). */
export class ProviderUnavailableError extends DomainError {
  constructor(message = 'The payment provider is unavailable; retry later', options?: { cause?: unknown }) {
    super(ErrorCode.UNAVAILABLE, message, options);
  }
}

/**
 * A webhook delivery that failed verification. The caller is told plainly; `reason` (the
 * verifier's own words, which can be long and technical) is for the log only.
 */
export class InvalidSignatureError extends DomainError {
  constructor(readonly reason = 'Webhook signature verification failed') {
    super(ErrorCode.INVALID_SIGNATURE, 'Webhook signature verification failed');
  }
}

/** A webhook that was verified but could not be stored: 500, so that the provider retries it. */
export class WebhookNotStoredError extends DomainError {
  constructor(cause?: unknown) {
    super(ErrorCode.WEBHOOK_NOT_STORED, 'The event could not be stored; it will be retried', { cause });
  }
}

/**
 * Why the database cannot serve a request for now: it cannot be reached or did not answer in
 * time, or its storage does not take writes (full, read-only, failing, out of resources).
 */
export type DatabaseUnavailableReason = 'connection' | 'full' | 'read-only' | 'io-error' | 'out-of-resources';

/** The database cannot serve the request for now; worth a retry later (503). */
export class DatabaseUnavailableError extends DomainError {
  constructor(
    cause?: unknown,
    readonly reason: DatabaseUnavailableReason = 'connection',
  ) {
    super(ErrorCode.UNAVAILABLE, 'The service is temporarily unavailable; retry later', { cause });
  }
}

/** Another request is confirming a change of the same subscription right now. */
export class ChangeInProgressError extends DomainError {
  constructor() {
    super(
      ErrorCode.CHANGE_IN_PROGRESS,
      'Another change of this subscription is being confirmed; retry shortly',
    );
  }
}

/** A checkout that can no longer be confirmed (or cancelled): it is done, expired or cancelled. */
export class CheckoutNotOpenError extends DomainError {
  constructor(status: string) {
    super(ErrorCode.CHECKOUT_NOT_OPEN, `This checkout is ${status}`, { details: { status } });
  }
}

/** The subscription changed since the preview: its terms would not be the ones shown. */
export class ChangeStaleError extends DomainError {
  constructor(reason: string, fresh?: Record<string, unknown>) {
    super(
      ErrorCode.CHANGE_STALE,
      `The subscription changed since this preview (${reason}); confirm the fresh preview instead`,
      { details: { reason, ...(fresh ? { checkout: fresh } : {}) } },
    );
  }
}

/** The subscription is in a state no change can start from, with why. */
export class SubscriptionNotChangeableError extends DomainError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(ErrorCode.SUBSCRIPTION_NOT_CHANGEABLE, message, { details: { reason } });
  }
}

/** The provider will not show its own confirmation page for this change (its settings), with why. */
export class ChangeNotConfirmableError extends DomainError {
  constructor(reason: string) {
    super(
      ErrorCode.HOSTED_CONFIRM_UNAVAILABLE,
      `The provider's hosted page cannot confirm this change: ${reason}`,
      { details: { reason } },
    );
  }
}

/** The change's charge failed; the subscription keeps its terms. */
export class ChangePaymentFailedError extends DomainError {
  constructor(invoiceUrl: string | null) {
    super(
      ErrorCode.PAYMENT_FAILED,
      'The payment for this change failed; the subscription keeps its current terms',
      { details: { invoiceUrl } },
    );
  }
}
