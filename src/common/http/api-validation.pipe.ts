import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { BadRequestError, DomainError } from '../errors/domain-errors';
import { ErrorCode } from '../errors/error-code';
import { MAX_JSON_BODY_BYTES, UnreadableBody } from './body-parsers';

/**
 * Validation for every DTO: unknown fields are refused, not dropped, and the first problem is
 * reported in words the caller can act on ("successUrl is required").
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new BadRequestError(firstMessage(errors) ?? 'Invalid request'),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') value = readableBody(value);
    if (metadata.type === 'query' && value !== null && typeof value === 'object') value = { ...value };
    return super.transform(value, metadata);
  }
}

function readableBody(value: unknown): Record<string, unknown> {
  if (value instanceof UnreadableBody) {
    switch (value.reason) {
      case 'too-large':
        throw new DomainError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `Request body is larger than ${MAX_JSON_BODY_BYTES / 1024} kB`,
        );
      case 'unsupported-media-type':
        throw new BadRequestError('Content-Type must be application/json');
      case 'too-deep':
        throw new BadRequestError('Request body is nested too deeply');
      default:
        throw new BadRequestError('Request body is not valid JSON');
    }
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestError('Request body must be a JSON object');
  }
  // class-transformer silently skips keys named like Object.prototype's members ("constructor",
  // "toString"), so the unknown-field check would never see them.
  const shadowing = Object.keys(value).find((key) => key in Object.prototype);
  if (shadowing !== undefined) throw new BadRequestError(`Unknown field: ${shadowing}`);
  return value as Record<string, unknown>;
}

/** Missing fields first, then unknown ones, then the rest; nested errors carry their path. */
function firstMessage(errors: ValidationError[], path = ''): string | undefined {
  const ranked = [...errors].sort((a, b) => rank(a) - rank(b));
  for (const error of ranked) {
    const field = path ? `${path}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if (constraints.whitelistValidation) return `Unknown field: ${field}`;
    const message = constraints.isDefined ?? Object.values(constraints)[0];
    if (message) return message;
    const nested = firstMessage(error.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

function rank(error: ValidationError): number {
  if (error.constraints?.isDefined) return 0;
  if (error.constraints?.whitelistValidation) return 1;
  return 2;
}
