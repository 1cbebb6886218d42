import { SUBSCRIPTION_PRICE } from '../../support/test-app';

// --- The contract's limits, restated (docs/api.md, docs/guarantees.md) ----------------------------

/** The claim this suite makes: at least this many generated requests per endpoint. */
export const MIN_REQUESTS_PER_ENDPOINT = 1_000;
/** fast-check runs per endpoint property (one request per run). */
export const RUNS_PER_ENDPOINT = 1_000;
export const PROPERTY_TIMEOUT_MS = 240_000;
export const MAX_JSON_BODY_BYTES = 100 * 1024;
export const HARD_BODY_LIMIT_BYTES = 1024 * 1024;
export const MAX_URL_LENGTH = 2048;
export const MAX_QUANTITY = 999_999;
export const MAX_JSON_DEPTH = 16;
export const WEBHOOK_TOLERANCE_SECONDS = 300;
export const BILLING_PRICE = 'price_hostile_monthly';
export const ONE_TIME_PRICE = 'price_hostile_setup';
export const INACTIVE_PRICE = 'price_hostile_retired';
/** Prices a checkout may legitimately use; "unknown price" poisons avoid them. */
export const PURCHASABLE_PRICES = new Set([SUBSCRIPTION_PRICE, BILLING_PRICE, ONE_TIME_PRICE]);
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const PRICE_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** Characters parseAbsoluteHttpUrl refuses anywhere in a URL: JS `\s`, C0 controls and DEL. */
export const URL_FORBIDDEN_CHARS = [
  ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)),
  '\u007f',
  ' ',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2007',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
];
/**
 * Keys that Nest's ValidationPipe deletes before validating (stripProtoKeys) or that
 * class-transformer skips, so that an unknown field of that name is not seen by the whitelist.
 * The service refuses them all, in bodies and in query strings (its own check runs before the
 * pipe's); `prototype` in bodies and all of them in query strings have properties of their own in
 * found-inputs.e2e-spec.ts and are kept out of the poisons of the main properties (they still
 * appear there as noise).
 */
export const KEYS_THE_PIPE_DOES_NOT_SEE_IN_BODIES = new Set(['prototype']);
export const OBJECT_PROTOTYPE_NAMES = [
  ...Object.getOwnPropertyNames(Object.prototype).filter((name) => name !== '__proto__'),
  '__proto__',
  'prototype',
];

/** The status → code pairs of the checkout envelope (ErrorCode has no code of its own for 415). */
export const ENVELOPE_CODE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'BAD_REQUEST',
  429: 'RATE_LIMITED',
};
