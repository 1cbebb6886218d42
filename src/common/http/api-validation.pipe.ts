import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import {
  IS_ARRAY,
  IS_BOOLEAN,
  IS_DATE,
  IS_DEFINED,
  IS_ENUM,
  IS_INT,
  IS_NUMBER,
  IS_OBJECT,
  IS_STRING,
} from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { BadRequestError, PayloadTooLargeError } from '../errors/domain-errors';
import { MAX_JSON_BODY_BYTES, UnreadableBody } from './body-parsers';

/**
 * Validation for every DTO: unknown fields are refused, not dropped, and the first problem is
 * reported in words the caller can act on ("successUrl is required").
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  /**
   * DTOs that an empty object (a GET without a query string, a body of `{}`) has been found to
   * satisfy. Validating nothing always comes out the same for a class, so it is done once: the
   * most frequent call of all, `GET /api/subscriptions/me`, has no query, and class-validator's
   * pass over its metadata was about a twentieth of that request's CPU time.
   */
  private readonly acceptsEmpty = new WeakSet<object>();

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
    if (metadata.type === 'body' || metadata.type === 'query') refuseUnsafeKeys(value);
    const { metatype } = metadata;
    const typed = metadata.type === 'body' || metadata.type === 'query';
    if (!typed || !metatype || !isEmptyObject(value)) return super.transform(value, metadata);
    if (this.acceptsEmpty.has(metatype)) return plainToInstance(metatype, {});
    const transformed: unknown = await super.transform(value, metadata);
    // Only a DTO that was validated and made anew (not a primitive type passed through).
    if (transformed !== value && transformed instanceof metatype) this.acceptsEmpty.add(metatype);
    return transformed;
  }
}

function isEmptyObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return Object.getOwnPropertySymbols(value).length === 0;
}

/** Names that Nest's pipe deletes without a word (prototype pollution guards). */
const STRIPPED_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Keys the validation would silently drop instead of refusing: at the top level anything named
 * like a member of Object.prototype ("constructor", "toString" — class-transformer skips them),
 * at any depth the ones Nest's pipe strips. Dropping a caller's key is not refusing it.
 */
function refuseUnsafeKeys(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  for (const key of Object.keys(value)) {
    if (key in Object.prototype || STRIPPED_KEYS.has(key)) throw new BadRequestError(`Unknown field: ${key}`);
  }
  const stack: Array<[unknown, string]> = Object.entries(value).map(([key, child]) => [child, key]);
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      if (STRIPPED_KEYS.has(key)) throw new BadRequestError(`${path} cannot have a key named ${key}`);
      stack.push([child, `${path}.${key}`]);
    }
  }
}

function readableBody(value: unknown): Record<string, unknown> {
  if (value instanceof UnreadableBody) {
    switch (value.reason) {
      case 'too-large':
        throw new PayloadTooLargeError(MAX_JSON_BODY_BYTES);
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
  return value as Record<string, unknown>;
}

/** Missing fields first, then unknown ones, then the rest; nested errors carry their path. */
function firstMessage(errors: ValidationError[], path = ''): string | undefined {
  const ranked = [...errors].sort((a, b) => rank(a) - rank(b));
  for (const error of ranked) {
    const field = path ? `${path}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if (constraints.whitelistValidation) return `Unknown field: ${field}`;
    const message = mostBasicBroken(constraints);
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

/** class-validator's type checkers: what a value must be before its range or form can be judged. */
const TYPE_CONSTRAINTS = new Set([
  IS_STRING,
  IS_INT,
  IS_NUMBER,
  IS_BOOLEAN,
  IS_OBJECT,
  IS_ARRAY,
  IS_DATE,
  IS_ENUM,
]);

/**
 * The message of the most basic rule a field broke: presence, then type, then anything else
 * (a range, a pattern, a custom rule). A value of the wrong type also fails the range checks,
 * which cannot compare it with anything ("2" is not "at most 999999"), and class-validator lists
 * the broken rules in the order the decorators happen to be written, so the order is set here.
 */
function mostBasicBroken(constraints: Record<string, string>): string | undefined {
  const level = (name: string) => (name === IS_DEFINED ? 0 : TYPE_CONSTRAINTS.has(name) ? 1 : 2);
  const [first] = Object.keys(constraints).sort((a, b) => level(a) - level(b));
  return first === undefined ? undefined : constraints[first];
}
