import { applyDecorators, Type } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import {
  AccountNotFoundError,
  AdminScopeRequiredError,
  DomainError,
  IdempotencyKeyReusedError,
  PayloadTooLargeError,
  ProviderUnavailableError,
  RateLimitedError,
  UnauthorizedError,
} from '../errors/domain-errors';
import { WWW_AUTHENTICATE } from '../../auth/credential-hints';
import { codeForStatus, ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { MAX_JSON_BODY_BYTES } from './body-parsers';

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

/** A documented case in the words, code and status of the error the service throws for it. */
export const documentedError = (error: DomainError, description: string): DocumentedError => ({
  status: ERROR_STATUS[error.code],
  description,
  message: error.message,
  code: error.code,
});

/** What every 401 says besides its body (see credentialHint). */
const UNAUTHORIZED_HEADERS = {
  'WWW-Authenticate': {
    description: `The accepted schemes: \`${WWW_AUTHENTICATE}\``,
    schema: { type: 'string' as const, example: WWW_AUTHENTICATE },
  },
  'x-auth-hint': {
    description:
      'When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, ' +
      '`x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`.',
    schema: {
      type: 'string' as const,
      example: 'The API key goes in the x-api-key header (this request sent api-key)',
    },
  },
};

const codeOf = (error: DocumentedError): ErrorCode => error.code ?? codeForStatus(error.status);

function errorResponses(
  type: Type<unknown>,
  errors: DocumentedError[],
  example: (error: DocumentedError) => object,
) {
  return applyDecorators(
    ...errors.map((error) =>
      ApiResponse({
        status: error.status,
        description: error.description,
        type,
        example: example(error),
        ...(error.status === 401 ? { headers: UNAUTHORIZED_HEADERS } : {}),
      }),
    ),
  );
}

/** Error responses in the `{error}` shape, each with its own example. */
export function ApiSimpleErrors(type: Type<unknown>, ...errors: DocumentedError[]) {
  return errorResponses(type, errors, (error) => ({ error: error.message }));
}

/** Error responses in the `{success: false, error: {code, message}}` envelope (docs/api.md#errors). */
export function ApiEnvelopeErrors(type: Type<unknown>, ...errors: DocumentedError[]) {
  return errorResponses(type, errors, (error) => ({
    success: false,
    error: { code: codeOf(error), message: error.message },
  }));
}

/** The cases every authenticated endpoint shares. */
export const COMMON_ERRORS = {
  unauthorized: documentedError(new UnauthorizedError(), 'Unauthorized - invalid or missing authentication'),
  forbidden: documentedError(
    new AdminScopeRequiredError(),
    'accountId names an account this credential may not act for',
  ),
  unknownAccount: documentedError(new AccountNotFoundError(), 'accountId names no account'),
  tooLarge: documentedError(new PayloadTooLargeError(MAX_JSON_BODY_BYTES), 'The body is over 100 kB'),
  idempotencyReused: documentedError(
    new IdempotencyKeyReusedError(),
    'Idempotency-Key was used before with another request',
  ),
  rateLimited: documentedError(
    new RateLimitedError(),
    'Too many requests from this credential or IP (see Retry-After)',
  ),
  providerFailed: {
    status: 502,
    description: 'The payment provider failed or refused the request',
    message: 'The payment provider failed to answer',
  },
  unavailable: documentedError(
    new ProviderUnavailableError(),
    'The payment provider or the database is unavailable (see Retry-After)',
  ),
} satisfies Record<string, DocumentedError>;

/** What every endpoint that writes and calls the provider may also answer, in this order. */
export const PROVIDER_CALL_ERRORS: DocumentedError[] = [
  COMMON_ERRORS.tooLarge,
  COMMON_ERRORS.idempotencyReused,
  COMMON_ERRORS.rateLimited,
  COMMON_ERRORS.providerFailed,
  COMMON_ERRORS.unavailable,
];
