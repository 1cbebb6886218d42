import { applyDecorators, Type } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { codeForStatus, ErrorCode } from '../errors/error-code';

/** The API documents' wording for a 400 of the subscriptions endpoints. */
export const BAD_REQUEST = 'Bad request - missing or invalid parameters';

export interface DocumentedError {
  status: number;
  description: string;
  /** The message this endpoint answers with in this case (the example of the body). */
  message: string;
  /** The code, for the envelope of /api/billing; derived from the status when omitted. */
  code?: ErrorCode;
}

const codeOf = (error: DocumentedError): ErrorCode => error.code ?? codeForStatus(error.status);

/** Error responses in the `{error}` shape, each with its own example. */
export function ApiSimpleErrors(type: Type<unknown>, ...errors: DocumentedError[]) {
  return applyDecorators(
    ...errors.map((error) =>
      ApiResponse({
        status: error.status,
        description: error.description,
        type,
        example: { error: error.message },
      }),
    ),
  );
}

/** Error responses in the `{success: false, error: {code, message}}` envelope (docs/api.md#errors). */
export function ApiEnvelopeErrors(type: Type<unknown>, ...errors: DocumentedError[]) {
  return applyDecorators(
    ...errors.map((error) =>
      ApiResponse({
        status: error.status,
        description: error.description,
        type,
        example: { success: false, error: { code: codeOf(error), message: error.message } },
      }),
    ),
  );
}

/** The cases every authenticated endpoint shares. */
export const COMMON_ERRORS = {
  unauthorized: {
    status: 401,
    description: 'Unauthorized - invalid or missing authentication',
    message: 'Authentication required',
  },
  forbidden: {
    status: 403,
    description: 'accountId names an account this credential may not act for',
    message: 'Acting for another account needs a credential with the admin scope',
  },
  unknownAccount: { status: 404, description: 'accountId names no account', message: 'Account not found' },
  tooLarge: {
    status: 413,
    description: 'The body is over 100 kB',
    message: 'Request body is larger than 100 kB',
  },
  idempotencyReused: {
    status: 422,
    description: 'Idempotency-Key was used before with another request',
    message: 'Idempotency-Key was already used with a different request',
  },
  rateLimited: {
    status: 429,
    description: 'Too many requests from this credential or IP (see Retry-After)',
    message: 'Too many requests; retry later',
  },
  providerFailed: {
    status: 502,
    description: 'The payment provider failed or refused the request',
    message: 'The payment provider failed to answer',
  },
  unavailable: {
    status: 503,
    description: 'The payment provider or the database is unavailable (see Retry-After)',
    message: 'The payment provider is unavailable; retry later',
  },
} satisfies Record<string, DocumentedError>;
