import fc from 'fast-check';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import Stripe from 'stripe';
import { FakeStripe } from './support/fake-stripe';
import {
  APP_ORIGIN,
  createAccount,
  inventedApiKey,
  startStripeApp,
  startTestApp,
  SUBSCRIPTION_PRICE,
  TestAccount,
  TestApp,
  WEBHOOK_SECRET,
} from './support/test-app';

// Guarantee 8 (docs/guarantees.md#g8), with generated input: every endpoint gets at least 1,000 generated
// requests (bodies, query strings and headers) that are invalid by construction, and each must get
// a 4xx in the endpoint's own error shape, never a 2xx or a 5xx, and write nothing: no local row
// and no POST to the (fake) provider. The hand-written cases are in bad-input.e2e-spec.ts.
//
// How a request is made invalid by construction: each generated request is a valid-looking base
// (the DTO's fields with valid or noisy values) plus at least one *poison*, a change that on its
// own makes the request invalid whatever else it carries. Noise is applied first and poisons last,
// and no poison can make valid what another poison broke (each one removes a field, sets an invalid
// value, adds an unknown field, replaces the body with an unreadable one, or adds an invalid header,
// query parameter or credential), so every request carries at least one reason to be refused.

// --- The contract's limits, restated (docs/api.md, docs/guarantees.md) ----------------------------

/** The claim this suite makes: at least this many generated requests per endpoint. */
const MIN_REQUESTS_PER_ENDPOINT = 1_000;
/** fast-check runs per endpoint property (one request per run). */
const RUNS_PER_ENDPOINT = 1_000;
const PROPERTY_TIMEOUT_MS = 240_000;
const MAX_JSON_BODY_BYTES = 100 * 1024;
const HARD_BODY_LIMIT_BYTES = 1024 * 1024;
const MAX_URL_LENGTH = 2048;
const MAX_QUANTITY = 999_999;
const MAX_JSON_DEPTH = 16;
const WEBHOOK_TOLERANCE_SECONDS = 300;
const BILLING_PRICE = 'price_hostile_monthly';
const ONE_TIME_PRICE = 'price_hostile_setup';
const INACTIVE_PRICE = 'price_hostile_retired';
/** Prices a checkout may legitimately use; "unknown price" poisons avoid them. */
const PURCHASABLE_PRICES = new Set([SUBSCRIPTION_PRICE, BILLING_PRICE, ONE_TIME_PRICE]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRICE_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** Characters parseAbsoluteHttpUrl refuses anywhere in a URL: JS `\s`, C0 controls and DEL. */
const URL_FORBIDDEN_CHARS = [
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
 * The service refuses the ones on Object.prototype in bodies; `prototype` (in bodies) and all of
 * them in query strings are the subject of the known-bug properties at the end of this file, and
 * are kept out of the poisons of the main properties (they still appear there as noise).
 */
const KEYS_THE_PIPE_DOES_NOT_SEE_IN_BODIES = new Set(['prototype']);
const OBJECT_PROTOTYPE_NAMES = [
  ...Object.getOwnPropertyNames(Object.prototype).filter((name) => name !== '__proto__'),
  '__proto__',
  'prototype',
];

/** The status → code pairs of the checkout envelope (ErrorCode has no code of its own for 415). */
const ENVELOPE_CODE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'BAD_REQUEST',
  429: 'RATE_LIMITED',
};

// --- An independent oracle for redirect URLs (guarantee 5, with this suite's config) ------------

/**
 * Whether the text is a redirect URL the service must accept: at most 2048 characters, no
 * whitespace or control characters, an absolute http(s) URL without credentials, on
 * ALLOWED_REDIRECT_ORIGINS = https://app.example.com, http://localhost:* (test-app.ts).
 * The URL poisons are filtered through it, so that none of them can be a valid URL by accident.
 */
function isAcceptableRedirect(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what is checked
  if (text.length === 0 || text.length > MAX_URL_LENGTH || /[\s\u0000-\u001f\u007f]/.test(text)) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.hostname === '') return false;
  if (url.protocol === 'https:') return url.hostname === 'app.example.com' && url.port === '';
  if (url.protocol === 'http:') return url.hostname === 'localhost';
  return false;
}

// --- Generic value generators ----------------------------------------------------------------

/** Raw JSON text of one value. It is sent as written, so it may be odd on purpose. */
type RawJson = string;
const json = (value: unknown): RawJson => JSON.stringify(value);

/** Numbers that are huge, negative, tiny, non-integer or beyond double range (`1e400` is Infinity). */
const oddNumberRaw: fc.Arbitrary<RawJson> = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => json(value)),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom(
    '1e400',
    '-1e400',
    '1E+999',
    '-0',
    '0.0',
    '4.9e-324',
    '123456789012345678901234567890',
    '-9007199254740993',
    '1.7976931348623157e308',
  ),
);

/** Any JSON value that is not a string and not null (null counts as "absent" for optional fields). */
const wrongTypeRaw: fc.Arbitrary<RawJson> = fc.oneof(
  oddNumberRaw,
  fc.boolean().map(String),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map(json),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(json),
);

/** Long strings, with any code point (control characters, astral planes, lone-surrogate escapes). */
const anyStringRaw: fc.Arbitrary<RawJson> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map(json),
  fc.integer({ min: 1_000, max: 20_000 }).map((length) => json('\u{1F4A9}x'.repeat(length / 3))),
  fc.constantFrom('"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"\\u202e\\u2066"'),
);

/** Printable Latin-1 text, the widest a header value or a header-sent string can be. */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.constantFrom(' ', '\t') },
    ),
    maxLength,
  });

// --- Redirect URLs ---------------------------------------------------------------------------

const ALLOWED_BASES = [APP_ORIGIN, 'http://localhost:3000', 'http://localhost:5173', 'http://localhost'];
const urlPath = fc.stringMatching(/^(\/[A-Za-z0-9._~-]{0,12}){0,3}(\?[a-z]{1,6}=[A-Za-z0-9]{0,8})?$/);
/** Redirect URLs the service accepts (noise: valid values for the URL fields). */
const goodUrl: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...ALLOWED_BASES), urlPath, fc.boolean())
  .map(([base, path, placeholder]) => {
    const url = `${base}${path.startsWith('/') ? path : `/${path}`}`;
    return placeholder ? `${url}${url.includes('?') ? '&' : '?'}session_id={CHECKOUT_SESSION_ID}` : url;
  })
  .filter(isAcceptableRedirect);

const userInfoPart = fc.stringMatching(/^[a-z0-9]{1,8}$/);
/**
 * Redirect URLs the service must refuse. Every branch is filtered through isAcceptableRedirect,
 * so that (for instance) `https:app.example.com`, which WHATWG URL reads as the allowed origin,
 * can never slip in as a "bad" value.
 */
const badUrl: fc.Arbitrary<string> = fc
  .oneof(
    // Other schemes: javascript:, data:, vbscript:, file: and friends, in any case.
    fc
      .tuple(
        fc.constantFrom(
          'javascript:',
          'JaVaScRiPt:',
          'javascript://app.example.com/%0A',
          'data:',
          'data:text/html;base64,',
          'vbscript:',
          'file://',
          'file:///',
          'ftp://',
          'blob:https://app.example.com/',
          'about:',
          'mailto:',
          'ws://',
          'wss://',
          'intent://',
          'jar:',
          'tel:',
        ),
        fc.string({ maxLength: 40 }),
      )
      .map(([scheme, rest]) => scheme + rest),
    // Credentials in an otherwise allowed URL.
    fc
      .tuple(
        fc.constantFrom(...ALLOWED_BASES),
        userInfoPart,
        userInfoPart,
        fc.constantFrom('user:pass', 'user', ':pass'),
        urlPath,
      )
      .map(([base, user, pass, form, path]) => {
        const info = form === 'user:pass' ? `${user}:${pass}` : form === 'user' ? user : `:${pass}`;
        return base.replace('://', `://${info}@`) + path;
      }),
    // A whitespace or control character anywhere in an allowed URL.
    fc
      .tuple(goodUrl, fc.nat(), fc.constantFrom(...URL_FORBIDDEN_CHARS))
      .map(
        ([url, at, char]) => url.slice(0, at % (url.length + 1)) + char + url.slice(at % (url.length + 1)),
      ),
    // Origins that ALLOWED_REDIRECT_ORIGINS does not list.
    fc
      .tuple(
        fc.constantFrom('http', 'https'),
        fc.domain(),
        fc.option(fc.integer({ min: 1, max: 65535 })),
        urlPath,
      )
      .map(([scheme, host, port, path]) => `${scheme}://${host}${port === null ? '' : `:${port}`}${path}`),
    fc
      .tuple(
        fc.constantFrom(
          'http://app.example.com',
          'https://localhost',
          'https://app.example.com.evil.example',
          'https://evil.app.example.com',
          'https://evil.example#@app.example.com',
          'https://evil.example\\@app.example.com',
          'http://localhost.evil.example',
          'http://127.0.0.1:3000',
          'http://[::1]:3000',
          'http://0x7f.1',
          'http://2130706433',
          'https://\u0430pp.example.com',
          'https://app.example.com:8443',
          'https://app.example.com.',
        ),
        urlPath,
      )
      .map(([origin, path]) => origin + path),
    fc.integer({ min: 1, max: 65535 }).map((port) => `https://app.example.com:${port}/`),
    // Relative, protocol-relative, scheme-less, host-less and empty.
    fc.constantFrom(
      '',
      '/dashboard',
      '//evil.example/x',
      'app.example.com/x',
      '?checkout=success',
      '#done',
      '.',
      '..',
      'https://',
      'http://:80/',
      'https://@/',
      'http://[/',
      'https://%zz/',
      '\\\\evil.example\\x',
    ),
    // Longer than 2048 characters.
    fc
      .integer({ min: MAX_URL_LENGTH + 1, max: 6_000 })
      .map((length) => `${APP_ORIGIN}/${'a'.repeat(length)}`),
  )
  .filter((url) => !isAcceptableRedirect(url));

// --- Field values ----------------------------------------------------------------------------

/**
 * A required string field's invalid values: a string from `badString` (invalid by its own
 * generator), any other JSON type (IsDefined/IsString-like checks refuse it), or null (which
 * IsDefined refuses: "… is required").
 */
const badRequiredString = (badString: fc.Arbitrary<string>): fc.Arbitrary<RawJson> =>
  fc.oneof(
    { weight: 6, arbitrary: badString.map(json) },
    { weight: 2, arbitrary: wrongTypeRaw },
    { weight: 1, arbitrary: fc.constant('null') },
  );

const badUrlRaw = badRequiredString(badUrl);

/**
 * Never a purchasable price: either not [A-Za-z0-9_-]{1,255} (refused by @Matches), or well formed
 * but not one of the fake provider's active prices (the service asks the provider: "Invalid price
 * ID"). The prices a valid request may use are filtered out by name.
 */
const badPriceId: fc.Arbitrary<RawJson> = badRequiredString(
  fc.oneof(
    // Not [A-Za-z0-9_-]{1,255}: empty, other characters, path tricks, too long.
    fc.string({ unit: 'binary', maxLength: 40 }).filter((id) => !PRICE_ID.test(id)),
    fc.constantFrom('../v1/customers', 'price_x?expand[]=product', 'price_x/../../v1/customers', 'price x'),
    fc.stringMatching(/^price_[A-Za-z0-9_-]{250,300}$/),
    // Well formed, but no purchasable price of the provider (unknown, or inactive).
    fc.stringMatching(/^price_[A-Za-z0-9_-]{1,30}$/).filter((id) => !PURCHASABLE_PRICES.has(id)),
    fc.constant(INACTIVE_PRICE),
  ),
);

/**
 * Optional integer fields: anything but an integer in [min, max]. Never null (IsOptional reads it
 * as "absent") and never a number that JSON.parse turns into an integer in range: non-integers,
 * out-of-range integers and doubles are filtered, `1e400` is Infinity, and strings, booleans,
 * arrays and objects are not numbers at all (the pipe does no implicit conversion).
 */
const badIntegerRaw = (min: number, max: number): fc.Arbitrary<RawJson> =>
  fc.oneof(
    fc
      .integer()
      .filter((n) => n < min || n > max)
      .map(String),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((x) => !Number.isInteger(x) || x < min || x > max)
      .map((x) => json(x)),
    fc
      .bigInt({ min: -(10n ** 30n), max: 10n ** 30n })
      .filter((n) => n < BigInt(min) || n > BigInt(max))
      .map(String),
    fc.constantFrom(
      '1e400',
      '-1e400',
      '-0',
      '0',
      '1.5',
      `${max}.5`,
      `${min - 1}`,
      `${max + 1}`,
      '1e21',
      '4.9e-324',
    ),
    // Numbers as strings are refused (no implicit conversion), valid-looking ones included.
    fc.integer({ min, max }).map((n) => json(String(n))),
    fc.constantFrom('"NaN"', '"Infinity"', '"-Infinity"', '""', '" 42 "', '"0x10"', '"1e3"'),
    fc.boolean().map(String),
    fc.integer({ min, max }).map((n) => json([n])),
    fc.integer({ min, max }).map((n) => json({ value: n })),
  );

/** Anything but the exact strings "subscription" and "payment" (filtered), and never null. */
const badModeRaw: fc.Arbitrary<RawJson> = fc.oneof(
  fc
    .string({ maxLength: 20 })
    .filter((mode) => mode !== 'subscription' && mode !== 'payment')
    .map(json),
  fc.constantFrom('"Subscription"', '"PAYMENT"', '" payment"', '"payment\\u0000"', '"setup"'),
  wrongTypeRaw,
);

/** Never the JSON literals true or false, and never null: strings, numbers, arrays, objects. */
const badBooleanRaw: fc.Arbitrary<RawJson> = fc.oneof(
  fc.constantFrom('"true"', '"false"', '0', '1', '""', '[]', '{}', '"yes"', '[true]'),
  oddNumberRaw,
  fc.string({ maxLength: 10 }).map(json),
);

/** Metadata keys that survive Nest's prototype-key stripping and that the service accepts. */
const metadataKey = fc
  .string({ minLength: 1, maxLength: 20 })
  .filter(
    (key) => !/[[\]]/.test(key) && !['__proto__', 'prototype', 'constructor', 'accountId'].includes(key),
  );
const goodMetadata = fc.dictionary(metadataKey, fc.string({ maxLength: 30 }), { maxKeys: 6 });

/**
 * Metadata Stripe (and so the service) refuses; see metadataProblem. Each branch breaks one of its
 * rules with keys that Nest's stripProtoKeys leaves in place (a broken entry under "constructor"
 * would be deleted, making the rest valid): not an object, a non-string value, a key that is empty,
 * over 40 characters or has brackets, a value over 500 characters, 50 keys plus the service's own,
 * or a pollution key that secure-json-parse refuses.
 */
const badMetadataRaw: fc.Arbitrary<RawJson> = fc.oneof(
  // Not an object of strings.
  fc.oneof(oddNumberRaw, fc.boolean().map(String), fc.string({ maxLength: 10 }).map(json)),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }).map(json),
  // A value that is not a string (a key named accountId included).
  fc
    .tuple(
      goodMetadata,
      fc.oneof(metadataKey, fc.constant('accountId')),
      fc.oneof(wrongTypeRaw, fc.constant('null')),
    )
    .map(
      ([good, key, value]) =>
        `${json(good).slice(0, -1)}${Object.keys(good).length ? ',' : ''}${json(key)}:${value}}`,
    ),
  // A key that is empty, over 40 characters, or has square brackets.
  fc
    .tuple(
      goodMetadata,
      fc.oneof(
        fc.constant(''),
        fc.string({ minLength: 41, maxLength: 80 }).filter((key) => key.length > 40),
        fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('[', ']', '[]', '[0]')).map(([a, b]) => a + b),
      ),
    )
    .map(([good, key]) => json({ ...good, [key]: 'v' })),
  // A value over 500 characters.
  fc
    .tuple(goodMetadata, metadataKey, fc.integer({ min: 501, max: 3_000 }))
    .map(([good, key, length]) => json({ ...good, [key]: 'v'.repeat(length) })),
  // 50 keys besides the service's accountId (51 in all).
  fc
    .uniqueArray(metadataKey, { minLength: 50, maxLength: 60 })
    .map((keys) => json(Object.fromEntries(keys.map((key) => [key, 'v'])))),
  // Prototype pollution inside metadata (secure-json-parse refuses the body).
  fc.constantFrom('{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}'),
);

/**
 * Account ids that are not UUIDs (filtered by UUID, never the caller's own id): the guard refuses
 * them with 400 before anything is looked up. UUIDs of other accounts are the override poison's.
 */
const nonUuid = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 50 }),
    fc.uuid().map((id) => `{${id}}`),
    fc.uuid().map((id) => `${id} `),
    fc.uuid().map((id) => id.replace(/-/g, '')),
    fc.uuid().map((id) => `${id}\u0000`),
    fc.uuid().map((id) => id.slice(0, -1)),
    fc.constantFrom(
      '',
      'null',
      'undefined',
      '00000000-0000-0000-0000-00000000000g',
      '../admin',
      "1' OR '1'='1",
    ),
  )
  .filter((value) => !UUID.test(value));

// --- Requests ------------------------------------------------------------------------------

type Shape = 'simple' | 'envelope';

type Credential =
  | { kind: 'key'; who: 'self' | 'admin'; via: 'x-api-key' | 'Bearer ' | 'bearer ' | 'BEARER   ' }
  | { kind: 'bad'; header: 'none' | 'x-api-key' | 'authorization'; value: string };

type Body =
  | { kind: 'fields'; entries: Array<[RawJson, RawJson]>; spacing: string }
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'none' };

/** A request on its way to being sent; poisons and noise edit it. */
interface Draft {
  method: 'GET' | 'POST';
  path: string;
  credential: Credential;
  query: Array<[string, string | null]>;
  headers: Record<string, string | string[]>;
  contentType: string | null;
  malformedContentType: boolean;
  body: Body;
  byteEdits: ByteEdit[];
  bom: boolean;
  chunked: boolean;
  /** An accountId that this credential may not act for is in the request (403, or 404). */
  override: boolean;
  /** ?testMode=true, which this suite's service has no credentials for (404). */
  testModeOn: boolean;
}

type ByteEdit =
  | { kind: 'truncated'; keep: number }
  | { kind: 'trailing-garbage'; garbage: string }
  | { kind: 'invalid-utf8'; at: number; bytes: number[] }
  | { kind: 'utf16'; bom: boolean };

interface Outgoing {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  chunked?: boolean;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

/** The accounts one endpoint's requests use. */
interface Actors {
  /** The account whose key a valid request would use (the portal's has a provider customer). */
  self: TestAccount;
  /** A key with the admin scope, on an account that is no platform admin and holds no grant. */
  admin: TestAccount;
  /** Another account: the target of override attempts. */
  other: TestAccount;
}

function renderBody(draft: Draft): Buffer | undefined {
  let bytes: Buffer | undefined;
  if (draft.body.kind === 'fields') {
    const s = draft.body.spacing;
    const text = `{${s}${draft.body.entries.map(([key, value]) => `${key}${s}:${s}${value}`).join(`,${s}`)}${s}}`;
    bytes = Buffer.from(text, 'utf8');
  } else if (draft.body.kind === 'raw') {
    bytes = draft.body.bytes;
  }
  for (const edit of draft.byteEdits) {
    const current = bytes ?? Buffer.alloc(0);
    switch (edit.kind) {
      case 'truncated':
        bytes = current.subarray(0, Math.floor(current.length * edit.keep));
        break;
      case 'trailing-garbage':
        bytes = Buffer.concat([current, Buffer.from(edit.garbage, 'utf8')]);
        break;
      case 'invalid-utf8': {
        const at = current.length === 0 ? 0 : edit.at % (current.length + 1);
        bytes = Buffer.concat([current.subarray(0, at), Buffer.from(edit.bytes), current.subarray(at)]);
        break;
      }
      case 'utf16':
        bytes = Buffer.concat([
          edit.bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0),
          Buffer.from(current.toString('utf8'), 'utf16le'),
        ]);
        break;
    }
  }
  if (draft.bom && bytes !== undefined) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  return bytes;
}

function render(draft: Draft, actors: Actors): Outgoing {
  const headers: Record<string, string | string[]> = { ...draft.headers };
  const credential = draft.credential;
  if (credential.kind === 'key') {
    const key = credential.who === 'admin' ? actors.admin.apiKey : actors.self.apiKey;
    if (credential.via === 'x-api-key') headers['x-api-key'] = key;
    else headers.authorization = `${credential.via}${key}`;
  } else if (credential.header !== 'none') {
    headers[credential.header] = credential.value;
  }
  if (draft.contentType !== null) headers['content-type'] = draft.contentType;
  const query = draft.query.map(([name, value]) => (value === null ? name : `${name}=${value}`)).join('&');
  return {
    method: draft.method,
    path: query ? `${draft.path}?${query}` : draft.path,
    headers,
    body: renderBody(draft),
    chunked: draft.chunked,
  };
}

/** The statuses a request made invalid by these poisons may get (never 2xx, never 5xx). */
function allowedStatuses(draft: Draft, bodySize: number): number[] {
  // Fastify refuses a content type it cannot parse (415) before it reads the body.
  if (bodySize > HARD_BODY_LIMIT_BYTES) return draft.malformedContentType ? [413, 415] : [413];
  const allowed = new Set<number>();
  if (bodySize > MAX_JSON_BODY_BYTES) allowed.add(413);
  if (draft.malformedContentType) allowed.add(415);
  if (draft.credential.kind === 'bad') {
    // Authentication comes first: 401, or 429 once an IP has failed too often.
    allowed.add(401);
    allowed.add(429);
    return [...allowed];
  }
  allowed.add(400);
  if (draft.override) {
    allowed.add(403);
    allowed.add(404);
  }
  if (draft.testModeOn) allowed.add(404);
  return [...allowed];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const hasExactKeys = (value: Record<string, unknown>, keys: string[]) =>
  Object.keys(value).sort().join(',') === [...keys].sort().join(',');

/** Why the answer is not an error in the endpoint's own shape, or null when it is. */
function shapeProblem(shape: Shape, answer: Answer): string | null {
  if (!answer.contentType.startsWith('application/json')) return `content-type is "${answer.contentType}"`;
  const body = answer.json;
  if (shape === 'simple') {
    if (!isRecord(body) || !hasExactKeys(body, ['error'])) return 'the body is not exactly {error}';
    if (typeof body.error !== 'string' || body.error.length === 0) return 'error is not a non-empty string';
    return null;
  }
  if (!isRecord(body) || !hasExactKeys(body, ['success', 'error'])) return 'the body is not {success, error}';
  if (body.success !== false) return 'success is not false';
  if (!isRecord(body.error) || !hasExactKeys(body.error, ['code', 'message']))
    return 'error is not {code, message}';
  if (body.error.code !== ENVELOPE_CODE[answer.status])
    return `code ${String(body.error.code)} does not go with status ${answer.status}`;
  if (typeof body.error.message !== 'string' || body.error.message.length === 0) return 'message is empty';
  return null;
}

/** Throws, with the answer in the message, unless it is a 4xx (or one of `allowed`) in `shape`. */
function expectErrorAnswer(answer: Answer, shape: Shape, allowed?: number[]): void {
  const statusOk = allowed ? allowed.includes(answer.status) : answer.status >= 400 && answer.status < 500;
  const problem = shapeProblem(shape, answer);
  if (!statusOk || problem !== null) {
    throw new Error(
      `got ${answer.status} ${answer.text.slice(0, 300)}; expected ${allowed ? allowed.join(' or ') : 'a 4xx'}` +
        ` in the ${shape} shape${problem ? ` (${problem})` : ''}`,
    );
  }
}

// --- Sending -------------------------------------------------------------------------------

/** node:http, not supertest: raw bytes, GET bodies, chunked bodies and repeated headers go out as built. */
function send(port: number, outgoing: Outgoing): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...outgoing.headers };
    // Framed either way: Node sends a GET body without framing unless told how.
    if (outgoing.body !== undefined && outgoing.chunked) headers['transfer-encoding'] = 'chunked';
    else if (outgoing.body !== undefined) headers['content-length'] = String(outgoing.body.length);
    let answered = false;
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: outgoing.method,
        path: outgoing.path,
        headers,
        agent: false,
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          answered = true;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text,
            json: parsed,
          });
        });
        response.on('error', (error) => (answered ? undefined : reject(error)));
      },
    );
    // The server may answer (413) and close before the whole body is written: the answer counts.
    request.on('error', (error) => (answered ? undefined : reject(error)));
    request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
    if (outgoing.body !== undefined && outgoing.chunked && outgoing.body.length > 1) {
      const half = Math.floor(outgoing.body.length / 2);
      request.write(outgoing.body.subarray(0, half));
      request.end(outgoing.body.subarray(half));
    } else {
      request.end(outgoing.body);
    }
  });
}

const summary = (outgoing: Outgoing): string => {
  const body = outgoing.body;
  const shown =
    body === undefined
      ? '(no body)'
      : body.length > 300
        ? `${body.length} bytes: ${JSON.stringify(body.subarray(0, 200).toString('latin1'))}…`
        : JSON.stringify(body.toString('latin1'));
  const headers = Object.fromEntries(
    Object.entries(outgoing.headers).map(([name, value]) => [
      name,
      typeof value === 'string' && value.length > 120 ? `${value.slice(0, 120)}… (${value.length})` : value,
    ]),
  );
  const path = outgoing.path.length > 300 ? `${outgoing.path.slice(0, 300)}…` : outgoing.path;
  return `${outgoing.method} ${path}\nheaders ${JSON.stringify(headers)}\nbody ${shown}`;
};

// --- What a request may have written -----------------------------------------------------------

type Footprint = Record<string, number>;

async function footprint(app: TestApp): Promise<Footprint> {
  const [row] = await app.db.rows(sql<
    Record<string, unknown>
  >`SELECT (SELECT COUNT(*) FROM customers) AS customers,
            (SELECT COUNT(*) FROM checkout_sessions) AS checkout_sessions,
            (SELECT COUNT(*) FROM subscriptions) AS subscriptions,
            (SELECT COUNT(*) FROM webhook_events) AS webhook_events,
            (SELECT COUNT(*) FROM idempotency_keys) AS idempotency_keys,
            (SELECT COUNT(*) FROM sandbox_objects) AS sandbox_objects,
            (SELECT COUNT(*) FROM accounts) AS accounts,
            (SELECT COUNT(*) FROM accounts WHERE trial_claimed_at IS NOT NULL) AS trials_claimed`);
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
}

/** One service under attack: where to send, and how to tell that nothing was written. */
interface Target {
  port: number;
  app: TestApp;
  fake?: FakeStripe;
  baseline: Footprint;
}

/** Throws (so that fast-check shrinks) when a row count moved or the fake provider got a POST. */
async function assertNothingWritten(target: Target): Promise<void> {
  const posts = target.fake?.requests.filter((request) => request.method === 'POST') ?? [];
  if (posts.length > 0) {
    throw new Error(`the provider received ${posts.length} POST(s), first ${posts[0].path}`);
  }
  const now = await footprint(target.app);
  const moved = Object.keys(now).filter((table) => now[table] !== target.baseline[table]);
  if (moved.length > 0) {
    throw new Error(
      `rows were written: ${moved.map((t) => `${t} ${target.baseline[t]} → ${now[t]}`).join(', ')}`,
    );
  }
}

// --- Properties -------------------------------------------------------------------------------

interface Probe {
  outgoing: Outgoing;
  allowed: number[];
  shape: Shape;
  labels: string[];
}

interface Tally {
  sent: number;
  labels: Map<string, number>;
  statuses: Map<number, number>;
  /** Error messages with their variable part cut off ("Unknown field: …"). */
  messages: Map<string, number>;
}

const messageOf = (answer: Answer): string => {
  const body = answer.json;
  const message = isRecord(body) ? (isRecord(body.error) ? body.error.message : body.error) : undefined;
  return typeof message === 'string' ? message.replace(/^(Unknown field): .*$/s, '$1: …') : '(none)';
};

const generated = new Map<string, Tally>();

/**
 * Sends one generated request per run and checks the answer: a status in `allowed`, the
 * endpoint's error shape, nothing written. Returns what went out and what came back.
 */
async function hostileProperty<T>(
  endpoint: string,
  target: Target,
  arbitrary: fc.Arbitrary<T>,
  build: (value: T) => Probe,
  runs = RUNS_PER_ENDPOINT,
): Promise<Tally> {
  const tally: Tally = { sent: 0, labels: new Map(), statuses: new Map(), messages: new Map() };
  generated.set(endpoint, tally);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      const probe = build(value);
      const answer = await send(target.port, probe.outgoing);
      tally.sent++;
      tally.statuses.set(answer.status, (tally.statuses.get(answer.status) ?? 0) + 1);
      tally.messages.set(messageOf(answer), (tally.messages.get(messageOf(answer)) ?? 0) + 1);
      for (const label of probe.labels) tally.labels.set(label, (tally.labels.get(label) ?? 0) + 1);
      const shape = shapeProblem(probe.shape, answer);
      if (!probe.allowed.includes(answer.status) || shape !== null) {
        throw new Error(
          `${endpoint}: got ${answer.status} ${answer.text.slice(0, 300)}\n` +
            `expected one of ${probe.allowed.join(', ')} in the ${probe.shape} shape${shape ? ` (${shape})` : ''}\n` +
            `poisons: ${probe.labels.join(', ')}\n${summary(probe.outgoing)}`,
        );
      }
      await assertNothingWritten(target);
    }),
    { numRuns: runs },
  );
  return tally;
}

/**
 * The claim can't silently shrink: at least 1,000 requests went out, every kind of poison was
 * sent at least `atLeast` times, and every check of `messages` answered at least once (so the
 * generators reach each of the service's checks, not only the first one on the way).
 */
function expectCoverage(tally: Tally, labels: string[], messages: RegExp[] = [], atLeast = 3): void {
  expect(tally.sent).toBeGreaterThanOrEqual(MIN_REQUESTS_PER_ENDPOINT);
  const missing = labels.filter((label) => (tally.labels.get(label) ?? 0) < atLeast);
  expect(missing).toEqual([]);
  const seen = [...tally.messages.keys()];
  const unreached = messages.filter((family) => !seen.some((message) => family.test(message)));
  expect(unreached).toEqual([]);
}

/** Checks every JSON POST endpoint has, on the way to its own (see expectCoverage). */
const COMMON_CHECKS = [
  /^Authentication required$/,
  /^Request body is not valid JSON$/,
  /^Request body must be a JSON object$/,
  /^Content-Type must be application\/json$/,
  /^Unknown field: /,
  /^Idempotency-Key must be 1 to 255 visible ASCII characters$/,
  /^accountId must be a UUID$/,
  /^(Acting for another account needs a credential with the admin scope|This credential has no grant on that account|Account not found)$/,
];
const urlChecks = (field: string) =>
  new RegExp(`^${field} (is required|must be an absolute http\\(s\\) URL|is not on an allowed origin)`);

// --- Poisons and noise of the JSON endpoints ------------------------------------------------

interface FieldSpec {
  name: string;
  required: boolean;
  /** Raw JSON of invalid values (each one makes the request invalid on its own). */
  bad: fc.Arbitrary<RawJson>;
}

interface JsonEndpoint {
  name: string;
  path: string;
  shape: Shape;
  fields: FieldSpec[];
  /** The query parameters the endpoint knows. */
  queryParams: string[];
  /** Whether accountId is a body field (as on /api/subscriptions/sessions) rather than an unknown one. */
  bodyAccountId: boolean;
  /** A valid body (noise included): field name → raw JSON. */
  goodBody: (actors: Actors) => fc.Arbitrary<Array<[string, RawJson]>>;
  /** The endpoint's own checks (messages) the generated requests must reach. */
  checks: RegExp[];
}

type Poison =
  | { kind: 'missing-field'; field: string }
  | { kind: 'bad-value'; field: string; value: RawJson }
  | { kind: 'duplicate-key-last-bad'; field: string; value: RawJson }
  | { kind: 'unknown-field'; key: RawJson; value: RawJson }
  | { kind: 'prototype-pollution'; text: string }
  | {
      kind: 'deep-nesting';
      depth: number;
      object: boolean;
      closed: boolean;
      where: 'top' | 'field';
      field: string;
    }
  | { kind: 'oversized'; bytes: number; where: 'unknown-field' | 'url-field' }
  | { kind: 'raw-body'; text: string }
  | { kind: 'non-object-json'; value: RawJson }
  | { kind: 'empty-body'; whitespace: string }
  | { kind: 'truncated'; keep: number }
  | { kind: 'trailing-garbage'; garbage: string }
  | { kind: 'invalid-utf8'; at: number; bytes: number[] }
  | { kind: 'utf16'; bom: boolean }
  | { kind: 'content-type'; value: string | null; malformed: boolean }
  | { kind: 'unknown-param'; name: string; value: string | null }
  | { kind: 'repeated-param'; name: string; values: string[] }
  | { kind: 'bracket-param'; name: string; suffix: string; value: string }
  | { kind: 'bad-account-id'; where: 'query' | 'body'; value: string }
  | { kind: 'bad-test-mode'; value: string }
  | { kind: 'test-mode-on' }
  | { kind: 'idempotency-key'; value: string | string[] }
  | { kind: 'bad-credential'; credential: Credential }
  | {
      kind: 'override';
      who: 'self' | 'admin';
      target: 'other' | 'random';
      randomId: string;
      upper: boolean;
      where: 'query' | 'body';
    };

interface Noise {
  via: 'x-api-key' | 'Bearer ' | 'bearer ' | 'BEARER   ';
  contentType: string;
  bom: boolean;
  chunked: boolean;
  spacing: string;
  /** Escape the field names as \uXXXX (the same names once decoded). */
  escapeKeys: boolean;
  /** Send one known field twice, both times valid. */
  duplicateValid: boolean;
  query: Array<[string, string | null]>;
  headers: Record<string, string | string[]>;
  /**
   * A body field named "prototype" and a query parameter named like an Object.prototype member:
   * refused by nothing today (see the known bugs), so they are noise, never the only poison.
   */
  prototypeField: RawJson | null;
  prototypeParam: string | null;
}

/** Content types Fastify reads as JSON: the body is still parsed and validated. */
const JSON_CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/json;charset=UTF-8',
  'application/json ; x=y',
  'application/json; charset=latin1',
  'application/json; charset="utf-16"',
];
/** Well-formed content types that are not JSON: 400 (or 413 when over the limit). */
const OTHER_CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/vnd.api+json',
  'application/json-patch+json',
  'application/jsonp',
  'image/png',
  '*/*',
  'application/*',
];
/** Content types Fastify cannot parse at all: 415 from Fastify itself. */
const MALFORMED_CONTENT_TYPES = [';', 'a/b/c', '/', 'json', 'application/', 'application/json, text/plain'];

/** Headers that may carry anything without changing what the request means. */
const noiseHeaders = (actors: Actors, post: boolean): fc.Arbitrary<Record<string, string | string[]>> =>
  fc
    .record(
      {
        'x-request-id': fc.oneof(headerText(200), fc.stringMatching(/^[A-Za-z0-9._:-]{129,300}$/)),
        'x-account-id': fc.constantFrom(actors.other.accountId, randomUUID(), 'garbage'),
        'x-forwarded-for': headerText(60),
        'x-http-method-override': fc.constantFrom('GET', 'DELETE', 'PATCH'),
        origin: fc.constantFrom('https://evil.example', 'null', APP_ORIGIN),
        referer: fc.constantFrom('javascript:alert(1)', 'https://evil.example/', 'data:,x'),
        accept: fc.constantFrom('text/html', '*/*', 'application/xml;q=0.9', '\u00ff'),
        cookie: headerText(80),
        'stripe-signature': headerText(80),
        // Idempotency-Key only as valid keys here (invalid ones are poisons): a failed request frees
        // its key again, so no generated key can ever replay an answer or clash (422).
        ...(post ? { 'idempotency-key': fc.stringMatching(/^[\x21-\x7e]{1,255}$/) } : {}),
      },
      { requiredKeys: [] },
    )
    .map((headers) => headers as Record<string, string | string[]>);

function noiseArbitrary(endpoint: JsonEndpoint, actors: Actors): fc.Arbitrary<Noise> {
  const queryNoise: fc.Arbitrary<Array<[string, string | null]>> = fc
    .record(
      {
        accountId: fc.constantFrom(actors.self.accountId, actors.self.accountId.toUpperCase()),
        ...(endpoint.queryParams.includes('testMode') ? { testMode: fc.constant('false') } : {}),
      },
      { requiredKeys: [] },
    )
    .map((params) => Object.entries(params));
  return fc.record({
    via: fc.constantFrom('x-api-key' as const, 'Bearer ' as const, 'bearer ' as const, 'BEARER   ' as const),
    contentType: fc.constantFrom(...JSON_CONTENT_TYPES),
    bom: fc.boolean(),
    chunked: fc.boolean(),
    spacing: fc.constantFrom('', '', ' ', '\n', '\t', '\r\n  '),
    escapeKeys: fc.boolean(),
    duplicateValid: fc.boolean(),
    query: queryNoise,
    headers: noiseHeaders(actors, endpoint.path !== '/api/subscriptions/me'),
    // Refused on their own now (see the tests of prototype-named fields below), so not noise.
    prototypeField: fc.constant(null),
    prototypeParam: fc.constant(null),
  });
}

const escapeKey = (name: string) =>
  `"${Array.from({ length: name.length }, (_, i) => `\\u${name.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;

/** Query text for one value: percent-encoded, so that Node's client sends it as is. */
const queryText = (value: string) => encodeURIComponent(value);

/** Query parameter names (decoded) that are unknown to the endpoint, and not prototype-named. */
const unknownParamName = (known: string[]) =>
  fc
    .oneof(
      fc.constantFrom(
        'foo',
        'TestMode',
        'accountid',
        'account_id',
        'AccountId',
        'customer',
        'priceId',
        'debug',
        'x',
      ),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
      fc.constantFrom('%zz', '%', '%E0%A4%A', '%C0%80'),
    )
    .filter((name) => name.length > 0 && !known.includes(name) && !OBJECT_PROTOTYPE_NAMES.includes(name));

/**
 * The poisons of a JSON endpoint. Why each one alone makes the request invalid:
 * - missing-field: a required field is removed (IsDefined).
 * - bad-value, duplicate-key-last-bad: a field gets a value from its `bad` generator (each one is
 *   justified where it is defined); with duplicates JSON.parse keeps the last, the bad one.
 * - unknown-field: a name the DTO does not have (filtered against its fields, accountId and the
 *   names the pipe cannot see), so forbidNonWhitelisted (or readableBody) refuses it.
 * - prototype-pollution: `__proto__` or `constructor.prototype`, which secure-json-parse refuses.
 * - deep-nesting: deeper than 16 levels (closed: "nested too deeply"; unclosed: not JSON).
 * - oversized: over 100 kB (413) through an unknown field or a URL over 2,048 characters.
 * - raw-body, non-object-json, empty-body: not JSON, not a JSON object (filtered), or empty
 *   (then every required field is missing).
 * - truncated, trailing-garbage, invalid-utf8, utf16: byte edits after serialisation; a strict
 *   prefix of a JSON object is never JSON, garbage after it is not JSON (whitespace is never used),
 *   and the inserted byte sequences are never valid UTF-8 (0xff, 0xfe, overlongs, surrogates,
 *   > U+10FFFF, a lone continuation byte); UTF-16 puts NUL bytes between the characters.
 * - content-type: a type that is not JSON, or none: the body is not read (or, empty, misses every
 *   required field); a malformed one gets Fastify's 415.
 * - unknown-param, repeated-param, bracket-param, bad-account-id, bad-test-mode: a query parameter
 *   the DTO does not know (names filtered against the known ones and the prototype-named ones), a
 *   known one given twice (an array), or an accountId / testMode value that is not valid.
 * - test-mode-on: ?testMode=true, which this service has no credentials for (404).
 * - idempotency-key: empty or blank once trimmed, over 255 characters, with a space, tab or
 *   non-ASCII byte inside, or sent twice (joined with ", "): never /^[\x21-\x7e]{1,255}$/.
 * - bad-credential: no credential, an invented key, garbage, another scheme, or the real key with
 *   one character changed (never equal to it): 401.
 * - override: accountId of another account or a random UUID, with a key that may not act for it
 *   (no admin scope: 403; admin scope without a grant: 403, or 404 for an unknown account).
 */
function poisonArbitrary(endpoint: JsonEndpoint, actors: Actors): fc.Arbitrary<Poison> {
  const fieldNames = endpoint.fields.map((field) => field.name);
  const required = endpoint.fields.filter((field) => field.required).map((field) => field.name);
  const known = [...fieldNames, ...(endpoint.bodyAccountId ? ['accountId'] : [])];
  const badValue = fc.oneof(
    ...endpoint.fields.map((field) => field.bad.map((value) => ({ field: field.name, value }))),
  );
  const unknownKeyName = fc
    .oneof(
      fc.constantFrom(
        'Prototype',
        'toString',
        'constructor',
        'hasOwnProperty',
        'valueOf',
        '__defineGetter__',
        'isPrototypeOf',
        '__lookupSetter__',
        'toLocaleString',
        'propertyIsEnumerable',
        'then',
        'length',
        'id',
        'customer',
        'trialDays',
        'price',
        'success_url',
        'SuccessUrl',
        'successurl',
        'accountID',
        'admin',
        '',
        ' ',
        '0',
        'successUrl ',
        'successUrl\u0000',
      ),
      fc.string({ unit: 'binary', maxLength: 20 }),
    )
    // accountId in a body that has no such field is what the guard reads first: it is left to
    // the bad-account-id and override poisons, whose status is known (400 / 403 / 404).
    .filter(
      (name) =>
        !known.includes(name) && name !== 'accountId' && !KEYS_THE_PIPE_DOES_NOT_SEE_IN_BODIES.has(name),
    );
  const idempotencyKeyBad: fc.Arbitrary<string | string[]> = fc.oneof(
    fc.constantFrom('', ' ', '\t', '   \t '),
    fc.stringMatching(/^[\x21-\x7e]{256,400}$/),
    fc
      .tuple(
        fc.stringMatching(/^[\x21-\x7e]{1,20}$/),
        fc.constantFrom(' ', '\t', '  '),
        fc.stringMatching(/^[\x21-\x7e]{1,20}$/),
      )
      .map((parts) => parts.join('')),
    fc
      .tuple(headerText(20), fc.integer({ min: 0x80, max: 0xff }), headerText(20))
      .map(([a, code, b]) => `${a}${String.fromCharCode(code)}${b}`),
    fc.array(fc.stringMatching(/^[\x21-\x7e]{1,20}$/), { minLength: 2, maxLength: 3 }),
  );
  const badCredential: fc.Arbitrary<Credential> = fc.oneof(
    fc.constant<Credential>({ kind: 'bad', header: 'none', value: '' }),
    fc.constant(null).map((): Credential => ({ kind: 'bad', header: 'x-api-key', value: inventedApiKey() })),
    fc
      .constant(null)
      .map((): Credential => ({ kind: 'bad', header: 'authorization', value: `Bearer ${inventedApiKey()}` })),
    headerText(80)
      .filter((value) => value.trim().length > 0)
      .map((value): Credential => ({ kind: 'bad', header: 'x-api-key', value })),
    fc
      .constantFrom(
        'Bearer abc.def.ghi',
        'Basic dXNlcjpwYXNz',
        'Bearer',
        'Token x',
        'Bearer eyJhbGciOiJub25lIn0.e30.',
      )
      .map((value): Credential => ({ kind: 'bad', header: 'authorization', value })),
    // The real key with one character changed, or with something appended.
    fc
      .tuple(fc.nat(), fc.constantFrom('A', 'b', '0', '_'), fc.boolean())
      .map(([at, char, append]): Credential => {
        const key = actors.self.apiKey;
        const index = 4 + (at % (key.length - 4));
        const changed = append ? `${key}${char}` : key.slice(0, index) + char + key.slice(index + 1);
        return { kind: 'bad', header: 'x-api-key', value: changed === key ? `${key}x` : changed };
      }),
  );

  const choices: Array<fc.WeightedArbitrary<Poison>> = [
    {
      weight: 3,
      arbitrary: fc.constantFrom(...required).map((field): Poison => ({ kind: 'missing-field', field })),
    },
    {
      // Two per field, so that each field's own check is reached often enough to be asserted.
      weight: 2 * endpoint.fields.length + 4,
      arbitrary: badValue.map(({ field, value }): Poison => ({ kind: 'bad-value', field, value })),
    },
    {
      weight: 2,
      arbitrary: badValue.map(({ field, value }): Poison => ({
        kind: 'duplicate-key-last-bad',
        field,
        value,
      })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          unknownKeyName,
          fc.boolean(),
          fc.oneof(fc.jsonValue({ maxDepth: 3 }).map(json), wrongTypeRaw, anyStringRaw),
        )
        .map(([name, escaped, value]): Poison => ({
          kind: 'unknown-field',
          key: escaped ? escapeKey(name) : json(name),
          value,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          '"__proto__":{"polluted":"yes"}',
          '"__proto__":null',
          '"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":"yes"}',
          '"constructor":{"prototype":{"polluted":"yes"}}',
          '"constructor":{"\\u0070rototype":{"polluted":"yes"}}',
        )
        .map((text): Poison => ({ kind: 'prototype-pollution', text })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          depth: fc.integer({ min: MAX_JSON_DEPTH + 1, max: 5_000 }),
          object: fc.boolean(),
          closed: fc.boolean(),
          where: fc.constantFrom('top' as const, 'field' as const),
          field: fc.constantFrom(...fieldNames, 'nested'),
        })
        .map((value): Poison => ({ kind: 'deep-nesting', ...value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          bytes: fc.oneof(
            fc.integer({ min: MAX_JSON_BODY_BYTES + 1, max: 400_000 }),
            fc.integer({ min: HARD_BODY_LIMIT_BYTES + 1, max: 1_300_000 }),
          ),
          where: fc.constantFrom('unknown-field' as const, 'url-field' as const),
        })
        .map((value): Poison => ({ kind: 'oversized', ...value })),
    },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            "{'successUrl': 'https://app.example.com/'}",
            '{successUrl: "https://app.example.com/"}',
            '{"quantity": NaN}',
            '{"quantity": Infinity}',
            '{"a": undefined}',
            '{"a": 1,}',
            '{"a" 1}',
            '{"a": 1} // comment',
            '/* c */ {}',
            '<request><successUrl>https://app.example.com/</successUrl></request>',
            'successUrl=https%3A%2F%2Fapp.example.com%2F',
            '\u0000',
            '{"a": "\u0001"}',
            '{"a": "\\x41"}',
            '{"a": 0x10}',
            '{"a": 01}',
            '{"a": .5}',
            '{"a": +1}',
            '{"a": "b"',
            '{{}}',
          ),
          fc.string({ unit: 'binary', maxLength: 60 }).filter((text) => {
            try {
              return !isRecord(JSON.parse(text));
            } catch {
              return true;
            }
          }),
        )
        .map((text): Poison => ({ kind: 'raw-body', text })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map(json),
          fc.string({ maxLength: 30 }).map(json),
          oddNumberRaw,
          fc.constantFrom('true', 'false', 'null', json([{ successUrl: `${APP_ORIGIN}/` }])),
        )
        .map((value): Poison => ({ kind: 'non-object-json', value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('', ' ', '\n', '\t \r\n')
        .map((whitespace): Poison => ({ kind: 'empty-body', whitespace })),
    },
    {
      weight: 1,
      arbitrary: fc
        .double({ min: 0, max: 0.999, noNaN: true })
        .map((keep): Poison => ({ kind: 'truncated', keep })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('}', ']', ',', 'x', '{}', '"', 'null', '\u0000', '{"a":1}')
        .map((garbage): Poison => ({ kind: 'trailing-garbage', garbage })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.nat(),
          fc.constantFrom(
            [0xff],
            [0xfe],
            [0xff, 0xfe],
            [0xc0, 0x80],
            [0xc1, 0xbf],
            [0xe9, 0x41],
            [0xed, 0xa0, 0x80],
            [0xf4, 0x90, 0x80, 0x80],
            [0xf8, 0x88, 0x80, 0x80, 0x80],
            [0x80],
          ),
        )
        .map(([at, bytes]): Poison => ({ kind: 'invalid-utf8', at, bytes: [...bytes] })),
    },
    { weight: 1, arbitrary: fc.boolean().map((bom): Poison => ({ kind: 'utf16', bom })) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc
          .constantFrom(...OTHER_CONTENT_TYPES, null)
          .map((value): Poison => ({ kind: 'content-type', value, malformed: false })),
        fc
          .constantFrom(...MALFORMED_CONTENT_TYPES)
          .map((value): Poison => ({ kind: 'content-type', value, malformed: true })),
      ),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          unknownParamName(endpoint.queryParams),
          fc.option(fc.string({ unit: 'binary', maxLength: 20 })),
        )
        .map(([name, value]): Poison => ({ kind: 'unknown-param', name, value })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('accountId', 'testMode'),
          fc.array(fc.constantFrom(actors.self.accountId, 'true', 'false', ''), {
            minLength: 2,
            maxLength: 4,
          }),
        )
        .map(([name, values]): Poison => ({ kind: 'repeated-param', name, values })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...endpoint.queryParams),
          fc.constantFrom('[]', '[0]', '[a]', '.x'),
          fc.constantFrom(actors.self.accountId, 'true'),
        )
        .map(([name, suffix, value]): Poison => ({ kind: 'bracket-param', name, suffix, value })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('query' as const, 'body' as const), nonUuid)
        .map(([where, value]): Poison => ({ kind: 'bad-account-id', where, value })),
    },
    { weight: 2, arbitrary: idempotencyKeyBad.map((value): Poison => ({ kind: 'idempotency-key', value })) },
    {
      weight: 2,
      arbitrary: badCredential.map((credential): Poison => ({ kind: 'bad-credential', credential })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          who: fc.constantFrom('self' as const, 'admin' as const),
          target: fc.constantFrom('other' as const, 'random' as const),
          randomId: fc.uuid(),
          upper: fc.boolean(),
          where: fc.constantFrom('query' as const, 'body' as const),
        })
        .map((value): Poison => ({ kind: 'override', ...value })),
    },
  ];
  if (endpoint.queryParams.includes('testMode')) {
    choices.push(
      {
        weight: 1,
        arbitrary: fc
          .oneof(
            fc
              .string({ unit: 'binary', maxLength: 10 })
              .filter((value) => value !== 'true' && value !== 'false'),
            fc.constantFrom('TRUE', 'True', '1', 'yes', ' true', 'true ', 'true\u0000', ''),
          )
          .map((value): Poison => ({ kind: 'bad-test-mode', value })),
      },
      { weight: 1, arbitrary: fc.constant<Poison>({ kind: 'test-mode-on' }) },
    );
  }
  return fc.oneof(...choices);
}

/** Poison kinds each JSON endpoint's property must have exercised (asserted after the run). */
const JSON_POISON_KINDS = [
  'missing-field',
  'bad-value',
  'duplicate-key-last-bad',
  'unknown-field',
  'prototype-pollution',
  'deep-nesting',
  'oversized',
  'raw-body',
  'non-object-json',
  'empty-body',
  'truncated',
  'trailing-garbage',
  'invalid-utf8',
  'utf16',
  'content-type',
  'unknown-param',
  'repeated-param',
  'bracket-param',
  'bad-account-id',
  'idempotency-key',
  'bad-credential',
  'override',
];

const PHASE: Record<Poison['kind'], number> = {
  'missing-field': 1,
  'bad-value': 1,
  'duplicate-key-last-bad': 1,
  'unknown-field': 1,
  'prototype-pollution': 1,
  'deep-nesting': 1,
  oversized: 1,
  'raw-body': 2,
  'non-object-json': 2,
  'empty-body': 2,
  truncated: 3,
  'trailing-garbage': 3,
  'invalid-utf8': 3,
  utf16: 3,
  'content-type': 4,
  'unknown-param': 4,
  'repeated-param': 4,
  'bracket-param': 4,
  'bad-account-id': 4,
  'bad-test-mode': 4,
  'test-mode-on': 4,
  'idempotency-key': 4,
  'bad-credential': 4,
  override: 4,
};

/** Field edits, then body replacements, then byte edits, then the rest of the request. */
const phaseOf = (poison: Poison) =>
  poison.kind === 'deep-nesting' && poison.where === 'top' ? 2 : PHASE[poison.kind];

function fieldsOf(draft: Draft): Array<[RawJson, RawJson]> {
  if (draft.body.kind !== 'fields') throw new Error('field poisons run before the body is replaced');
  return draft.body.entries;
}

/** Whether a raw key names `field` once decoded (escaped spellings included). */
const keyNames = (key: RawJson, field: string) => {
  try {
    return JSON.parse(key) === field;
  } catch {
    return false;
  }
};

function setField(draft: Draft, field: string, value: RawJson): void {
  const entries = fieldsOf(draft).filter(([key]) => !keyNames(key, field));
  entries.push([json(field), value]);
  draft.body = { ...(draft.body as { spacing: string }), kind: 'fields', entries };
}

function setAccountId(draft: Draft, where: 'query' | 'body', value: string): void {
  // The guard reads the body's accountId before the query's: both go, then one is set.
  draft.query = draft.query.filter(([name]) => name !== 'accountId');
  if (draft.body.kind === 'fields') {
    draft.body.entries = draft.body.entries.filter(([key]) => !keyNames(key, 'accountId'));
  }
  if (where === 'body' && draft.body.kind === 'fields')
    draft.body.entries.push([json('accountId'), json(value)]);
  else draft.query.push(['accountId', queryText(value)]);
}

function nested(depth: number, object: boolean, closed: boolean): string {
  const open = object ? '{"a":' : '[';
  const close = object ? '}' : ']';
  return `${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}`;
}

function applyPoison(draft: Draft, poison: Poison, endpoint: JsonEndpoint, actors: Actors): void {
  switch (poison.kind) {
    case 'missing-field':
      draft.body = {
        ...(draft.body as { spacing: string }),
        kind: 'fields',
        entries: fieldsOf(draft).filter(([key]) => !keyNames(key, poison.field)),
      };
      return;
    case 'bad-value':
      setField(draft, poison.field, poison.value);
      return;
    case 'duplicate-key-last-bad': {
      // A valid value first, the invalid one last: JSON.parse keeps the last.
      const entries = fieldsOf(draft);
      const valid = entries.find(([key]) => keyNames(key, poison.field));
      entries.push([json(poison.field), poison.value]);
      if (valid) entries.splice(entries.indexOf(valid) + 1, 0, [valid[0], valid[1]]);
      return;
    }
    case 'unknown-field':
      fieldsOf(draft).push([poison.key, poison.value]);
      return;
    case 'prototype-pollution':
      // As raw text: a JS object cannot carry an own "__proto__" key through JSON.stringify.
      fieldsOf(draft).splice(0, 0, [
        poison.text.slice(0, poison.text.indexOf(':')),
        poison.text.slice(poison.text.indexOf(':') + 1),
      ]);
      return;
    case 'deep-nesting': {
      const value = nested(poison.depth, poison.object, poison.closed);
      if (poison.where === 'top') draft.body = { kind: 'raw', bytes: Buffer.from(value) };
      else setField(draft, poison.field, value);
      return;
    }
    case 'oversized': {
      const urlField = endpoint.fields.find((field) => /Url$/.test(field.name))!.name;
      if (poison.where === 'url-field')
        setField(draft, urlField, json(`${APP_ORIGIN}/${'a'.repeat(poison.bytes)}`));
      else fieldsOf(draft).push([json('padding'), json('x'.repeat(poison.bytes))]);
      return;
    }
    case 'raw-body':
      draft.body = { kind: 'raw', bytes: Buffer.from(poison.text, 'utf8') };
      return;
    case 'non-object-json':
      draft.body = { kind: 'raw', bytes: Buffer.from(poison.value, 'utf8') };
      return;
    case 'empty-body':
      draft.body = poison.whitespace
        ? { kind: 'raw', bytes: Buffer.from(poison.whitespace) }
        : { kind: 'none' };
      return;
    case 'truncated':
    case 'trailing-garbage':
    case 'invalid-utf8':
    case 'utf16':
      draft.byteEdits.push(poison);
      return;
    case 'content-type':
      draft.contentType = poison.value;
      draft.malformedContentType ||= poison.malformed;
      return;
    case 'unknown-param':
      draft.query.push([
        /%/.test(poison.name) ? poison.name : queryText(poison.name),
        poison.value === null ? null : queryText(poison.value),
      ]);
      return;
    case 'repeated-param':
      draft.query = draft.query.filter(([name]) => name !== poison.name);
      for (const value of poison.values) draft.query.push([poison.name, queryText(value)]);
      return;
    case 'bracket-param':
      draft.query.push([`${poison.name}${poison.suffix}`, queryText(poison.value)]);
      return;
    case 'bad-account-id':
      setAccountId(draft, poison.where, poison.value);
      return;
    case 'bad-test-mode':
      draft.query = draft.query.filter(([name]) => name !== 'testMode');
      draft.query.push(['testMode', queryText(poison.value)]);
      return;
    case 'test-mode-on':
      draft.query = draft.query.filter(([name]) => name !== 'testMode');
      draft.query.push(['testMode', 'true']);
      draft.testModeOn = true;
      return;
    case 'idempotency-key':
      draft.headers['idempotency-key'] = poison.value;
      return;
    case 'bad-credential':
      delete draft.headers['x-api-key'];
      delete draft.headers.authorization;
      draft.credential = poison.credential;
      return;
    case 'override': {
      const via = draft.credential.kind === 'key' ? draft.credential.via : 'x-api-key';
      draft.credential = { kind: 'key', who: poison.who, via };
      const id = poison.target === 'other' ? actors.other.accountId : poison.randomId;
      setAccountId(draft, poison.where, poison.upper ? id.toUpperCase() : id);
      draft.override = true;
      return;
    }
  }
}

function buildJsonProbe(
  endpoint: JsonEndpoint,
  actors: Actors,
  body: Array<[string, RawJson]>,
  noise: Noise,
  poisons: Poison[],
): Probe {
  const entries: Array<[RawJson, RawJson]> = body.map(([name, value]) => [
    noise.escapeKeys ? escapeKey(name) : json(name),
    value,
  ]);
  if (noise.duplicateValid && entries.length > 0) entries.push(entries[0]);
  if (noise.prototypeField !== null) entries.push([json('prototype'), noise.prototypeField]);
  const draft: Draft = {
    method: 'POST',
    path: endpoint.path,
    credential: { kind: 'key', who: 'self', via: noise.via },
    query: [...noise.query],
    headers: { ...noise.headers },
    contentType: noise.contentType,
    malformedContentType: false,
    body: { kind: 'fields', entries, spacing: noise.spacing },
    byteEdits: [],
    bom: noise.bom,
    chunked: noise.chunked,
    override: false,
    testModeOn: false,
  };
  if (noise.prototypeParam !== null) draft.query.push([queryText(noise.prototypeParam), '1']);
  const ordered = [...poisons].sort((a, b) => phaseOf(a) - phaseOf(b));
  for (const poison of ordered) applyPoison(draft, poison, endpoint, actors);
  const outgoing = render(draft, actors);
  return {
    outgoing,
    allowed: allowedStatuses(draft, outgoing.body?.length ?? 0),
    shape: endpoint.shape,
    labels: poisons.map((poison) => poison.kind),
  };
}

function poisonList<P>(poison: fc.Arbitrary<P>): fc.Arbitrary<P[]> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(poison) },
    { weight: 1, arbitrary: fc.array(poison, { minLength: 2, maxLength: 3 }) },
  );
}

function jsonEndpointArbitrary(endpoint: JsonEndpoint, actors: Actors) {
  return fc.record({
    body: endpoint.goodBody(actors),
    noise: noiseArbitrary(endpoint, actors),
    // At least one poison: that is what makes every generated request invalid. Mostly one, so
    // that each check is reached on its own; sometimes several, to see which one wins.
    poisons: poisonList(poisonArbitrary(endpoint, actors)),
  });
}

// --- The endpoints ------------------------------------------------------------------------------

const urlField = (name: string): FieldSpec => ({ name, required: true, bad: badUrlRaw });

const SESSIONS: JsonEndpoint = {
  name: 'POST /api/subscriptions/sessions',
  path: '/api/subscriptions/sessions',
  shape: 'simple',
  fields: [
    urlField('successUrl'),
    // accountId's UUIDs are the override poison's; here only what the guard refuses with 400.
    {
      name: 'accountId',
      required: false,
      bad: fc.oneof(nonUuid.map(json), wrongTypeRaw, fc.constant('null')),
    },
  ],
  queryParams: ['accountId'],
  bodyAccountId: true,
  checks: [urlChecks('successUrl')],
  goodBody: (actors) =>
    fc
      .tuple(goodUrl, fc.option(fc.constantFrom(actors.self.accountId, actors.self.accountId.toUpperCase())))
      .map(([url, accountId]) => [
        ['successUrl', json(url)],
        ...(accountId === null ? [] : [['accountId', json(accountId)] as [string, RawJson]]),
      ]),
};

const PORTAL: JsonEndpoint = {
  name: 'POST /api/subscriptions/portal',
  path: '/api/subscriptions/portal',
  shape: 'simple',
  fields: [urlField('returnUrl')],
  queryParams: ['accountId'],
  bodyAccountId: false,
  checks: [urlChecks('returnUrl')],
  goodBody: () => goodUrl.map((url) => [['returnUrl', json(url)]]),
};

const BILLING: JsonEndpoint = {
  name: 'POST /api/billing/checkout',
  path: '/api/billing/checkout',
  shape: 'envelope',
  fields: [
    { name: 'priceId', required: true, bad: badPriceId },
    urlField('successUrl'),
    urlField('cancelUrl'),
    { name: 'metadata', required: false, bad: badMetadataRaw },
    { name: 'mode', required: false, bad: badModeRaw },
    { name: 'quantity', required: false, bad: badIntegerRaw(1, MAX_QUANTITY) },
    { name: 'allowExistingSubscription', required: false, bad: badBooleanRaw },
    { name: 'expiresInMinutes', required: false, bad: badIntegerRaw(30, 1440) },
  ],
  queryParams: ['accountId', 'testMode'],
  bodyAccountId: false,
  checks: [
    /^(priceId is required|Invalid price ID)$/,
    urlChecks('successUrl'),
    urlChecks('cancelUrl'),
    /^metadata /,
    /^mode must be subscription or payment$/,
    /^quantity must be /,
    /^allowExistingSubscription must be true or false$/,
    /^expiresInMinutes must be /,
    /^testMode must be true or false$/,
  ],
  goodBody: () =>
    fc
      .record(
        {
          plan: fc.constantFrom(
            { priceId: BILLING_PRICE },
            { priceId: BILLING_PRICE, mode: 'subscription' },
            { priceId: SUBSCRIPTION_PRICE, mode: 'subscription' },
            { priceId: ONE_TIME_PRICE, mode: 'payment' },
          ),
          successUrl: goodUrl,
          cancelUrl: goodUrl,
          metadata: fc.option(
            fc.oneof(goodMetadata.map(json), fc.constant('{"accountId":"spoofed","constructor":"x"}')),
          ),
          quantity: fc.option(
            fc.oneof(fc.integer({ min: 1, max: MAX_QUANTITY }).map(String), fc.constantFrom('2.0', '1e2')),
          ),
          allowExistingSubscription: fc.option(fc.boolean().map(String)),
          expiresInMinutes: fc.option(fc.integer({ min: 30, max: 1440 }).map(String)),
        },
        { requiredKeys: ['plan', 'successUrl', 'cancelUrl'] },
      )
      .map((value) => {
        const fields: Array<[string, RawJson]> = [
          ['priceId', json(value.plan.priceId)],
          ['successUrl', json(value.successUrl)],
          ['cancelUrl', json(value.cancelUrl)],
        ];
        if (value.plan.mode) fields.push(['mode', json(value.plan.mode)]);
        for (const name of [
          'metadata',
          'quantity',
          'allowExistingSubscription',
          'expiresInMinutes',
        ] as const) {
          const raw = value[name];
          // null is what an optional field may be: the service reads it as absent.
          if (raw !== undefined) fields.push([name, raw ?? 'null']);
        }
        return fields;
      }),
};

// --- GET /api/subscriptions/me ----------------------------------------------------------------

type MePoison = Extract<
  Poison,
  {
    kind:
      | 'unknown-param'
      | 'repeated-param'
      | 'bracket-param'
      | 'bad-account-id'
      | 'bad-test-mode'
      | 'test-mode-on'
      | 'bad-credential'
      | 'override';
  }
>;

const ME_POISON_KINDS = [
  'unknown-param',
  'repeated-param',
  'bracket-param',
  'bad-account-id',
  'bad-test-mode',
  'test-mode-on',
  'bad-credential',
  'override',
];

const ME: JsonEndpoint = {
  name: 'GET /api/subscriptions/me',
  path: '/api/subscriptions/me',
  shape: 'simple',
  fields: [urlField('unused')],
  queryParams: ['accountId', 'testMode'],
  bodyAccountId: false,
  checks: [],
  goodBody: () => fc.constant([]),
};

/**
 * GET /api/subscriptions/me: the JSON endpoints' query, credential and override poisons (at
 * least one), with noise headers, a GET body the endpoint never reads and valid parameters.
 */
function meArbitrary(actors: Actors) {
  const poisons = poisonArbitrary(ME, actors).filter((poison): poison is MePoison =>
    ME_POISON_KINDS.includes(poison.kind),
  );
  return fc.record({
    noise: noiseArbitrary(ME, actors),
    // A GET body means nothing to the endpoint: any small bytes, never looked at.
    getBody: fc.option(fc.string({ unit: 'binary', maxLength: 60 })),
    poisons: poisonList(poisons),
  });
}

function buildMeProbe(
  actors: Actors,
  value: { noise: Noise; getBody: string | null; poisons: MePoison[] },
): Probe {
  const { noise } = value;
  const draft: Draft = {
    method: 'GET',
    path: ME.path,
    credential: { kind: 'key', who: 'self', via: noise.via },
    query: [...noise.query],
    headers: { ...noise.headers },
    contentType: value.getBody === null ? null : noise.contentType,
    malformedContentType: false,
    body: value.getBody === null ? { kind: 'none' } : { kind: 'raw', bytes: Buffer.from(value.getBody) },
    byteEdits: [],
    bom: false,
    chunked: noise.chunked,
    override: false,
    testModeOn: false,
  };
  if (noise.prototypeParam !== null) draft.query.push([queryText(noise.prototypeParam), '1']);
  for (const poison of value.poisons) applyPoison(draft, poison, ME, actors);
  const outgoing = render(draft, actors);
  return {
    outgoing,
    allowed: allowedStatuses(draft, outgoing.body?.length ?? 0),
    shape: 'simple',
    labels: value.poisons.map((poison) => poison.kind),
  };
}

// --- POST /api/webhooks/stripe ----------------------------------------------------------------

const signer = new Stripe('sk_test_signer_only');

type Signature =
  | { kind: 'none' }
  | { kind: 'garbage'; value: string }
  | { kind: 'wrong-secret'; secret: string }
  | { kind: 'stale'; ageSeconds: number }
  | { kind: 'other-payload'; suffix: string }
  | { kind: 'scheme-only'; value: string };

const WEBHOOK_SIGNATURE_KINDS = ['none', 'garbage', 'wrong-secret', 'stale', 'other-payload', 'scheme-only'];

const eventTypes = fc.constantFrom(
  'checkout.session.completed',
  'checkout.session.expired',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'ping',
);

/** Webhook bodies: event-shaped JSON with hostile values, or anything at all. */
/** A webhook body, as data (so that a counterexample prints short); webhookBytes renders it. */
type WebhookBody =
  | { label: 'event'; id: string; type: string; created: RawJson; object: unknown }
  | { label: 'odd-json'; text: string }
  | { label: 'random-bytes'; bytes: number[] }
  | { label: 'deep-nesting'; depth: number; closed: boolean }
  | { label: 'oversized'; size: number };

/** Webhook bodies: event-shaped JSON with hostile values, or anything at all. */
const webhookBody: fc.Arbitrary<WebhookBody> = fc.oneof(
  fc.record({
    label: fc.constant('event' as const),
    id: fc.oneof(fc.stringMatching(/^evt_[A-Za-z0-9]{8,24}$/), fc.string({ unit: 'binary', maxLength: 30 })),
    type: fc.oneof(eventTypes, fc.string({ maxLength: 20 })),
    created: oddNumberRaw,
    object: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
  }),
  fc.record({
    label: fc.constant('odd-json' as const),
    text: fc.constantFrom(
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '[]',
      'null',
      '',
      '{',
    ),
  }),
  fc.record({
    label: fc.constant('random-bytes' as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }),
  }),
  fc.record({
    label: fc.constant('deep-nesting' as const),
    depth: fc.integer({ min: 20, max: 5_000 }),
    closed: fc.boolean(),
  }),
  fc.record({
    label: fc.constant('oversized' as const),
    size: fc.oneof(
      fc.integer({ min: MAX_JSON_BODY_BYTES + 1, max: 300_000 }),
      fc.integer({ min: HARD_BODY_LIMIT_BYTES + 1, max: 1_200_000 }),
    ),
  }),
);

function webhookBytes(body: WebhookBody): Buffer {
  switch (body.label) {
    case 'event':
      return Buffer.from(
        `{"id":${json(body.id)},"object":"event","type":${json(body.type)},"created":${body.created},` +
          `"livemode":false,"data":{"object":${json(body.object)}}}`,
      );
    case 'odd-json':
      return Buffer.from(body.text);
    case 'random-bytes':
      return Buffer.from(body.bytes);
    case 'deep-nesting':
      return Buffer.from(nested(body.depth, true, body.closed));
    case 'oversized':
      return Buffer.from(`{"id":"evt_1","padding":"${'x'.repeat(body.size)}"}`);
  }
}

/**
 * Stripe-Signature values that can never verify: none, garbage, the right format under another
 * secret (filtered: never the webhook secret), the right secret over the exact body but older than
 * the five minutes' tolerance, the right secret now but over other bytes, or a header without a
 * usable timestamp or v1 signature. (A future timestamp is not used: Stripe accepts it.)
 */
const webhookSignature: fc.Arbitrary<Signature> = fc.oneof(
  fc.constant<Signature>({ kind: 'none' }),
  headerText(200)
    .filter((value) => value.trim().length > 0)
    .map((value): Signature => ({ kind: 'garbage', value })),
  fc
    .stringMatching(/^whsec_[A-Za-z0-9]{8,32}$/)
    .filter((secret) => secret !== WEBHOOK_SECRET)
    .map((secret): Signature => ({ kind: 'wrong-secret', secret })),
  fc
    .integer({ min: WEBHOOK_TOLERANCE_SECONDS + 60, max: 10 * 365 * 86_400 })
    .map((ageSeconds): Signature => ({ kind: 'stale', ageSeconds })),
  fc.string({ minLength: 1, maxLength: 10 }).map((suffix): Signature => ({ kind: 'other-payload', suffix })),
  fc
    .constantFrom(
      't=',
      'v1=',
      't=1,v1=',
      `t=${Date.now()}`,
      'v0=abc,v1=',
      't=abc,v1=00',
      ',,,',
      't=1,t=2,v1=x,v1=y',
    )
    .map((value): Signature => ({ kind: 'scheme-only', value })),
);

function signatureHeader(signature: Signature, payload: Buffer): string | undefined {
  const now = Math.floor(Date.now() / 1000);
  const text = payload.toString('utf8');
  switch (signature.kind) {
    case 'none':
      return undefined;
    case 'garbage':
    case 'scheme-only':
      return signature.value;
    case 'wrong-secret':
      return signer.webhooks.generateTestHeaderString({
        payload: text,
        secret: signature.secret,
        timestamp: now,
      });
    case 'stale':
      // The right secret over the exact body, but older than the five minutes' tolerance.
      return signer.webhooks.generateTestHeaderString({
        payload: text,
        secret: WEBHOOK_SECRET,
        timestamp: now - signature.ageSeconds,
      });
    case 'other-payload':
      // The right secret, now, but over other bytes than the ones sent.
      return signer.webhooks.generateTestHeaderString({
        payload: `${text}${signature.suffix}`,
        secret: WEBHOOK_SECRET,
        timestamp: now,
      });
  }
}

function webhookArbitrary(actors: Actors) {
  return fc.record({
    body: webhookBody,
    signature: webhookSignature,
    contentType: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(...JSON_CONTENT_TYPES).map((value) => ({ value, malformed: false })),
      },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom(...OTHER_CONTENT_TYPES, null)
          .map((value) => ({ value, malformed: false })),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...MALFORMED_CONTENT_TYPES).map((value) => ({ value, malformed: true })),
      },
    ),
    query: fc.option(
      fc.constantFrom(
        'testMode=true',
        'testMode=true&testMode=false',
        '__proto__=1',
        '%zz=%',
        'accountId=garbage',
      ),
    ),
    headers: noiseHeaders(actors, true),
    apiKey: fc.boolean(),
    chunked: fc.boolean(),
  });
}

// --- Sandbox pages ----------------------------------------------------------------------------

/** The sandbox's own ids, for near misses: a generated id is never one of them. */
interface SandboxIds {
  checkout: string;
  all: string[];
}

/**
 * Ids of no open checkout session: near misses of the sandbox's real ids (always different from
 * them), random ids in the sandbox's format, ids of the sandbox's other objects (a customer is no
 * checkout), and any text. The real checkout id is filtered out. No NUL and at most Fastify's
 * 100-character parameter once encoded: those are the known bugs below.
 */
function sandboxIdArbitrary(ids: SandboxIds): fc.Arbitrary<string> {
  const nearMiss = fc
    .tuple(
      fc.constantFrom(...ids.all),
      fc.nat(),
      fc.constantFrom('upper', 'drop', 'change', 'append', 'prepend', 'space'),
    )
    .map(([id, at, how]) => {
      const index = at % id.length;
      switch (how) {
        case 'upper':
          return id.toUpperCase();
        case 'drop':
          return id.slice(0, index) + id.slice(index + 1);
        case 'change':
          return id.slice(0, index) + (id[index] === 'a' ? 'b' : 'a') + id.slice(index + 1);
        case 'append':
          return `${id}x`;
        case 'prepend':
          return `x${id}`;
        default:
          return ` ${id}`;
      }
    });
  return fc
    .oneof(
      nearMiss,
      fc.stringMatching(/^cs_sbx_[0-9a-f]{24}$/),
      fc.constantFrom(...ids.all.filter((id) => id !== ids.checkout)), // other kinds' real ids
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
      fc.constantFrom(
        '.',
        '..',
        '../portal/x',
        "' OR 1=1 --",
        '"; DROP TABLE sandbox_objects; --',
        '%',
        '%zz',
        '\u202e',
        '😀',
      ),
    )
    .filter(
      (id) =>
        id.length > 0 &&
        !id.includes('\u0000') &&
        id !== ids.checkout &&
        encodeURIComponent(id).length <= 100,
    );
}

function sandboxArbitrary(ids: SandboxIds, actors: Actors, post: boolean) {
  return fc.record({
    id: sandboxIdArbitrary(ids),
    query: fc.option(fc.constantFrom('x=1', '__proto__=1', 'id=..%2F', 'a=%zz', 'testMode=true')),
    headers: noiseHeaders(actors, post),
    body: post
      ? fc.option(
          fc.oneof(
            fc.record({
              type: fc.constant('application/x-www-form-urlencoded'),
              text: fc.constantFrom('', 'a=1', '__proto__[x]=1', 'constructor[prototype][x]=1', 'a=%zz&&='),
            }),
            fc.record({
              type: fc.constantFrom(...JSON_CONTENT_TYPES),
              text: fc.constantFrom('{', '{"__proto__":1}', '[]', ''),
            }),
            fc.record({ type: fc.constantFrom(...OTHER_CONTENT_TYPES), text: fc.string({ maxLength: 40 }) }),
            fc.record({
              type: fc.constant('application/x-www-form-urlencoded'),
              text: fc
                .integer({ min: MAX_JSON_BODY_BYTES + 1, max: 200_000 })
                .map((n) => `a=${'x'.repeat(n)}`),
            }),
          ),
        )
      : fc.constant(null),
  });
}

function buildSandboxProbe(
  path: (encodedId: string) => string,
  method: 'GET' | 'POST',
  value: {
    id: string;
    query: string | null;
    headers: Record<string, string | string[]>;
    body: { type: string; text: string } | null;
  },
): Probe {
  const headers = { ...value.headers };
  let body: Buffer | undefined;
  if (value.body) {
    headers['content-type'] = value.body.type;
    body = Buffer.from(value.body.text);
  }
  const outgoing: Outgoing = {
    method,
    path: `${path(encodeURIComponent(value.id))}${value.query ? `?${value.query}` : ''}`,
    headers,
    body,
  };
  const size = body?.length ?? 0;
  // A post with an Origin other than the sandbox's own (none of the noise Origins is) is refused
  // as a cross-site form post before its id is looked at.
  const crossSite = method === 'POST' && headers.origin !== undefined;
  const refusal = crossSite ? 403 : 404;
  return {
    outgoing,
    allowed: size > MAX_JSON_BODY_BYTES ? [refusal, 413] : [refusal],
    shape: 'simple',
    labels: [value.body ? `body ${value.body.type.split(';')[0]}` : 'no body'],
  };
}

// --- Raw sockets --------------------------------------------------------------------------------

function rawExchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (suffix = '') => resolve(Buffer.concat(chunks).toString('latin1') + suffix);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => done());
    socket.on('error', (error) => done(`\n[socket error: ${error.message}]`));
    socket.setTimeout(5_000, () => {
      socket.destroy();
      done('\n[no end within 5 s]');
    });
    socket.write(bytes);
  });
}

// ================================================================================================

describe('Hostile input, generated (guarantee 8)', () => {
  afterAll(() => {
    const lines = [...generated.entries()].map(([endpoint, tally]) => {
      const statuses = [...tally.statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}×${count}`)
        .join(' ');
      const messages = [...tally.messages.entries()]
        .sort(([, a], [, b]) => b - a)
        .map(([message, count]) => `      ${String(count).padStart(4)}  ${message.slice(0, 110)}`)
        .join('\n');
      return `${endpoint.padEnd(44)} ${String(tally.sent).padStart(5)} requests   ${statuses}\n${messages}`;
    });
    console.log(`Generated hostile requests per endpoint:\n${lines.join('\n')}`);
  });

  describe('with the Stripe provider (a fake Stripe records every call)', () => {
    let fake: FakeStripe;
    let sut: TestApp;
    let target: Target;
    let owner: TestAccount;
    let withCustomer: TestAccount;
    let admin: TestAccount;
    let other: TestAccount;

    const actorsFor = (self: TestAccount): Actors => ({ self, admin, other });

    beforeAll(async () => {
      fake = await new FakeStripe().start();
      fake.addPrice({ id: SUBSCRIPTION_PRICE, type: 'recurring' });
      fake.addPrice({ id: BILLING_PRICE, type: 'recurring' });
      fake.addPrice({ id: ONE_TIME_PRICE, type: 'one_time' });
      fake.addPrice({ id: INACTIVE_PRICE, type: 'recurring', active: false });
      sut = await startStripeApp(fake);
      await sut.app.listen(0, '127.0.0.1');
      owner = await createAccount(sut, { name: 'Owner' });
      withCustomer = await createAccount(sut, { name: 'Has a provider customer' });
      admin = await createAccount(sut, { name: 'Admin without grants', scopes: ['admin'] });
      other = await createAccount(sut, { name: 'Someone else' });
      const port = Number(new URL(await sut.app.getUrl()).port);
      // The portal answers only accounts with a provider customer: give one a customer, so that its
      // requests are refused for what they carry, not for whom.
      const control = await send(port, {
        method: 'POST',
        path: '/api/subscriptions/sessions',
        headers: { 'x-api-key': withCustomer.apiKey, 'content-type': 'application/json' },
        body: Buffer.from(json({ successUrl: `${APP_ORIGIN}/welcome` })),
      });
      expect(control.status).toBe(200);
      target = { port, app: sut, fake, baseline: await footprint(sut) };
      expect(target.baseline).toMatchObject({ customers: 1, checkoutSessions: 1, accounts: 4 });
      // From here on, whatever the fake receives was caused by the generated requests.
      fake.requests.length = 0;
    });

    afterAll(async () => {
      await sut?.close();
      await fake?.stop();
    });

    afterEach(async () => {
      // The same checks each run made, once more for the whole property.
      expect(fake.received('POST', /.*/)).toEqual([]);
      expect(await footprint(sut)).toEqual(target.baseline);
    });

    it.each([
      ['sessions', SESSIONS, () => owner],
      ['portal', PORTAL, () => withCustomer],
      ['billing', BILLING, () => owner],
    ] as const)(
      'should answer generated invalid requests to %s with a 4xx in its own shape and write nothing',
      async (_label, endpoint, self) => {
        const actors = actorsFor(self());
        const tally = await hostileProperty(
          endpoint.name,
          target,
          jsonEndpointArbitrary(endpoint, actors),
          (value) => buildJsonProbe(endpoint, actors, value.body, value.noise, value.poisons),
        );
        expectCoverage(
          tally,
          endpoint === BILLING ? [...JSON_POISON_KINDS, 'bad-test-mode', 'test-mode-on'] : JSON_POISON_KINDS,
          [...COMMON_CHECKS, ...endpoint.checks],
        );
        // Each status the oracle allows for this endpoint was actually seen (the generators reach
        // the guard, the pipe, the interceptor and Fastify's limits, not just one of them).
        expect([...tally.statuses.keys()].sort()).toEqual(
          expect.arrayContaining([400, 401, 403, 404, 413, 415]),
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    it(
      'should answer generated invalid query strings and credentials on GET /api/subscriptions/me with a 4xx {error}',
      async () => {
        const actors = actorsFor(owner);
        const tally = await hostileProperty(ME.name, target, meArbitrary(actors), (value) =>
          buildMeProbe(actors, value),
        );
        expectCoverage(tally, ME_POISON_KINDS, [
          /^Authentication required$/,
          /^Unknown field: /,
          /^accountId must be a UUID$/,
          /^testMode must be true or false$/,
          /^Test mode is not configured$/,
          /^Acting for another account needs a credential with the admin scope$/,
          /^This credential has no grant on that account$/,
          /^Account not found$/,
        ]);
        expect([...tally.statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 401, 403, 404]));
      },
      PROPERTY_TIMEOUT_MS,
    );

    it(
      'should answer generated deliveries to POST /api/webhooks/stripe with 400 {error} (413 over the limit)',
      async () => {
        const actors = actorsFor(owner);
        const tally = await hostileProperty(
          'POST /api/webhooks/stripe',
          target,
          webhookArbitrary(actors),
          (value) => {
            const headers: Record<string, string | string[]> = { ...value.headers };
            delete headers['stripe-signature'];
            const bytes = webhookBytes(value.body);
            const signature = signatureHeader(value.signature, bytes);
            if (signature !== undefined) headers['stripe-signature'] = signature;
            if (value.contentType.value !== null) headers['content-type'] = value.contentType.value;
            if (value.apiKey) headers['x-api-key'] = owner.apiKey;
            const size = bytes.length;
            const malformed = value.contentType.malformed ? [415] : [];
            const allowed =
              size > HARD_BODY_LIMIT_BYTES
                ? [413, ...malformed]
                : [400, ...(size > MAX_JSON_BODY_BYTES ? [413] : []), ...malformed];
            return {
              outgoing: {
                method: 'POST',
                path: `/api/webhooks/stripe${value.query ? `?${value.query}` : ''}`,
                headers,
                body: bytes,
                chunked: value.chunked,
              },
              allowed,
              shape: 'simple',
              labels: [`signature ${value.signature.kind}`, `body ${value.body.label}`],
            };
          },
        );
        expectCoverage(tally, [
          ...WEBHOOK_SIGNATURE_KINDS.map((kind) => `signature ${kind}`),
          'body event',
          'body odd-json',
          'body random-bytes',
          'body deep-nesting',
          'body oversized',
        ]);
        expect(tally.statuses.get(400)).toBeGreaterThan(RUNS_PER_ENDPOINT / 2);
      },
      PROPERTY_TIMEOUT_MS,
    );

    it('should refuse header injection and request smuggling on a raw socket with a 400, and keep serving', async () => {
      const body = json({ successUrl: `${APP_ORIGIN}/injected` });
      const request = (
        extra: string,
        target = '/api/subscriptions/sessions',
        length = `content-length: ${body.length}\r\n`,
      ) =>
        Buffer.from(
          `POST ${target} HTTP/1.1\r\nhost: localhost\r\nx-api-key: ${owner.apiKey}\r\n` +
            `content-type: application/json\r\n${length}connection: close\r\n${extra}\r\n${body}`,
          'latin1',
        );
      // Each request is valid but for the smuggled bytes: were those read leniently, the service
      // would create a checkout, and the footprint check after this test would see it.
      const attempts: Array<[string, Buffer]> = [
        ['a bare CR inside Idempotency-Key', request('idempotency-key: abc\rset-cookie: evil=1\r\n')],
        ['a bare LF inside Idempotency-Key', request('idempotency-key: abc\nset-cookie: evil=1\r\n')],
        ['a NUL inside x-request-id', request('x-request-id: abc\u0000set-cookie: evil=1\r\n')],
        ['a DEL inside Idempotency-Key', request('idempotency-key: ab\u007fc\r\n')],
        ['an obs-fold continuation line', request('x-request-id: abc\r\n set-cookie: evil=1\r\n')],
        ['a space in a header name', request('idempotency key: abc\r\n')],
        ['a space inside the request target', request('', '/api/subscriptions/sessions set-cookie:evil=1')],
        ['two different Content-Lengths', request(`content-length: ${body.length + 5}\r\n`)],
        ['Content-Length with Transfer-Encoding', request('transfer-encoding: chunked\r\n')],
        [
          'LF-only line endings',
          Buffer.from(request('').toString('latin1').replace(/\r\n/g, '\n'), 'latin1'),
        ],
      ];
      const answers: string[] = [];
      const statusLines: Record<string, string> = {};
      const reflected: string[] = [];
      for (const [name, bytes] of attempts) {
        const answer = await rawExchange(target.port, bytes);
        const [head, ...rest] = answer.split('\r\n\r\n');
        statusLines[name] = head.split('\r\n')[0];
        if (/evil/i.test(head)) reflected.push(name);
        answers.push(`  ${name}: ${statusLines[name]} ${rest.join('\r\n\r\n').slice(0, 200)}`);
      }
      console.log(`Raw-socket answers:\n${answers.join('\n')}`);
      expect(statusLines).toEqual(
        Object.fromEntries(attempts.map(([name]) => [name, 'HTTP/1.1 400 Bad Request'])),
      );
      expect(reflected).toEqual([]);

      // Still up: a normal request on a new connection works.
      const after = await send(target.port, {
        method: 'GET',
        path: '/api/subscriptions/me',
        headers: { 'x-api-key': owner.apiKey },
      });
      expect({ status: after.status, body: after.json }).toEqual({
        status: 200,
        body: { subscription: null },
      });
    });

    it('should leave Object.prototype unpolluted after all the generated requests', () => {
      // Every property above sent __proto__ and constructor.prototype keys, in bodies and queries.
      expect(
        Object.getOwnPropertyNames(Object.prototype).filter((name) => !OBJECT_PROTOTYPE_NAMES.includes(name)),
      ).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('with the sandbox provider (its hosted pages)', () => {
    let sut: TestApp;
    let target: Target;
    let owner: TestAccount;
    let ids: SandboxIds;
    let actors: Actors;

    beforeAll(async () => {
      sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox' });
      await sut.app.listen(0, '127.0.0.1');
      const port = Number(new URL(await sut.app.getUrl()).port);
      owner = await createAccount(sut, { name: 'Sandbox owner' });
      actors = { self: owner, admin: owner, other: owner };
      // One real checkout session (and its customer), so that there is something to miss.
      const session = await send(port, {
        method: 'POST',
        path: '/api/subscriptions/sessions',
        headers: { 'x-api-key': owner.apiKey, 'content-type': 'application/json' },
        body: Buffer.from(json({ successUrl: `${APP_ORIGIN}/welcome` })),
      });
      expect(session.status).toBe(200);
      const checkout = (session.json as { id: string }).id;
      const rows = await sut.db.rows(sql<{ id: string }>`SELECT id FROM sandbox_objects`);
      ids = { checkout, all: rows.map((row) => row.id) };
      expect(ids.all).toContain(checkout);
      // The page of the real session answers: the generated ids miss it, not the route.
      const page = await send(port, { method: 'GET', path: `/sandbox/checkout/${checkout}`, headers: {} });
      expect(page.status).toBe(200);
      target = { port, app: sut, baseline: await footprint(sut) };
    });

    afterAll(() => sut?.close());

    afterEach(async () => {
      expect(await footprint(sut)).toEqual(target.baseline);
    });

    it(
      'should answer GET /sandbox/checkout/:id with 404 {error} for generated ids and write nothing',
      async () => {
        const tally = await hostileProperty(
          'GET /sandbox/checkout/:id',
          target,
          sandboxArbitrary(ids, actors, false),
          (value) => buildSandboxProbe((id) => `/sandbox/checkout/${id}`, 'GET', value),
        );
        expect(tally.sent).toBeGreaterThanOrEqual(MIN_REQUESTS_PER_ENDPOINT);
        expect([...tally.statuses.keys()]).toEqual([404]);
      },
      PROPERTY_TIMEOUT_MS,
    );

    it(
      'should answer POST /sandbox/checkout/:id/complete with 404 {error} for generated ids (403 from another site) and write nothing',
      async () => {
        const tally = await hostileProperty(
          'POST /sandbox/checkout/:id/complete',
          target,
          sandboxArbitrary(ids, actors, true),
          (value) => buildSandboxProbe((id) => `/sandbox/checkout/${id}/complete`, 'POST', value),
        );
        expect(tally.sent).toBeGreaterThanOrEqual(MIN_REQUESTS_PER_ENDPOINT);
        expect((tally.statuses.get(404) ?? 0) + (tally.statuses.get(403) ?? 0)).toBeGreaterThan(
          RUNS_PER_ENDPOINT / 2,
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    // BUG (PostgreSQL only): an id with a NUL character reaches `SELECT … WHERE id = :id`, which
    // PostgreSQL refuses ("invalid byte sequence for encoding UTF8: 0x00"): 500, not 404.
    // On SQLite this property passes. Shrunk counterexample on PostgreSQL: ["", "", "GET"], that is
    //   GET /sandbox/checkout/%00 → 500 {"error":"Internal server error"}
    // (POST /sandbox/checkout/%00/complete and GET /sandbox/portal/%00 do the same.)
    it('should answer a sandbox checkout id with a NUL character with 404 {error}', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 10 }),
          fc.string({ maxLength: 10 }),
          fc.constantFrom('GET' as const, 'POST' as const),
          async (before, after, method) => {
            const id = encodeURIComponent(`${before}\u0000${after}`);
            const path = method === 'GET' ? `/sandbox/checkout/${id}` : `/sandbox/checkout/${id}/complete`;
            expectErrorAnswer(await send(target.port, { method, path, headers: {} }), 'simple', [404]);
            await assertNothingWritten(target);
          },
        ),
        { numRuns: 100 },
      );
    });

    // BUG: a path segment with malformed percent-encoding is refused by Fastify itself
    // (FST_ERR_BAD_URL) in Fastify's shape {error, code, message, statusCode}, not the service's
    // {error}: the error never reaches ApiExceptionFilter. The same holds for every route, e.g.
    // /api/billing/checkout/%zz answers without the billing envelope.
    // Shrunk counterexample: ["%", "GET"], that is
    //   GET /sandbox/checkout/% → 400 {"error":"Bad Request","code":"FST_ERR_BAD_URL",
    //   "message":"'/sandbox/checkout/%' is not a valid url component","statusCode":400}
    it('should answer malformed percent-encoding in a sandbox page id with a 4xx in the {error} shape', async () => {
      const malformed = fc
        .tuple(
          fc.stringMatching(/^[a-z0-9_]{0,8}$/),
          fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%80', '%2', '%u0041', '%FF'),
          fc.stringMatching(/^[a-z0-9_]{0,8}$/),
        )
        .map((parts) => parts.join(''));
      await fc.assert(
        fc.asyncProperty(malformed, fc.constantFrom('GET' as const, 'POST' as const), async (id, method) => {
          const path = method === 'GET' ? `/sandbox/checkout/${id}` : `/sandbox/checkout/${id}/complete`;
          expectErrorAnswer(await send(target.port, { method, path, headers: {} }), 'simple');
          await assertNothingWritten(target);
        }),
        { numRuns: 100 },
      );
    });

    // BUG: an id longer than Fastify's maxParamLength (100) gets Fastify's own 414
    // {error, code: "FST_ERR_MAX_PARAM_LENGTH", message, statusCode}, not the service's {error}.
    // Shrunk counterexample: ["cs_sbx_" followed by 94 hex digits (101 characters), "GET"], that is
    //   GET /sandbox/checkout/cs_sbx_000000a0aaa0…aaa0 → 414 {"error":"Bad Request",
    //   "code":"FST_ERR_MAX_PARAM_LENGTH","message":"'/sandbox/checkout/cs_sbx_…' is exceeding the
    //   max param length","statusCode":414}
    it('should answer a sandbox page id over 100 characters with a 4xx in the {error} shape', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.stringMatching(/^cs_sbx_[0-9a-f]{94,300}$/),
          fc.constantFrom('GET' as const, 'POST' as const),
          async (id, method) => {
            const path = method === 'GET' ? `/sandbox/checkout/${id}` : `/sandbox/checkout/${id}/complete`;
            expectErrorAnswer(await send(target.port, { method, path, headers: {} }), 'simple');
            await assertNothingWritten(target);
          },
        ),
        { numRuns: 100 },
      );
    });
  });

  // --- Known bugs ------------------------------------------------------------------------------
  // What the properties found. Each test below fails against the service as it is, describes the
  // bug and carries fast-check's shrunk counterexample; it passes once the service is fixed. The
  // main properties above keep these inputs out of their *poisons* (not out of their noise) so
  // that they keep guarding everything else meanwhile.
  describe('known bugs found by the properties', () => {
    let fake: FakeStripe;
    let sut: TestApp;
    let target: Target;
    let owner: TestAccount;
    let withCustomer: TestAccount;

    type Named = 'sessions' | 'portal' | 'billing' | 'me';
    const request = (endpoint: Named, query: string, body?: string): Outgoing => {
      const account = endpoint === 'portal' ? withCustomer : owner;
      const path = {
        sessions: SESSIONS.path,
        portal: PORTAL.path,
        billing: BILLING.path,
        me: ME.path,
      }[endpoint];
      return {
        method: endpoint === 'me' ? 'GET' : 'POST',
        path: query ? `${path}?${query}` : path,
        headers: { 'x-api-key': account.apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : Buffer.from(body),
      };
    };
    /** Valid bodies: each request below is valid but for the one field or parameter added to it. */
    const validBody = (endpoint: Named): Record<string, unknown> | undefined =>
      ({
        sessions: { successUrl: `${APP_ORIGIN}/welcome` },
        portal: { returnUrl: `${APP_ORIGIN}/settings/billing` },
        billing: {
          priceId: BILLING_PRICE,
          successUrl: `${APP_ORIGIN}/done`,
          cancelUrl: `${APP_ORIGIN}/pricing`,
        },
        me: undefined,
      })[endpoint];

    beforeAll(async () => {
      fake = await new FakeStripe().start();
      fake.addPrice({ id: SUBSCRIPTION_PRICE, type: 'recurring' });
      fake.addPrice({ id: BILLING_PRICE, type: 'recurring' });
      sut = await startStripeApp(fake);
      await sut.app.listen(0, '127.0.0.1');
      const port = Number(new URL(await sut.app.getUrl()).port);
      owner = await createAccount(sut, { name: 'Owner' });
      withCustomer = await createAccount(sut, { name: 'Has a provider customer' });
      const control = await send(port, {
        method: 'POST',
        path: SESSIONS.path,
        headers: { 'x-api-key': withCustomer.apiKey, 'content-type': 'application/json' },
        body: Buffer.from(json({ successUrl: `${APP_ORIGIN}/welcome` })),
      });
      expect(control.status).toBe(200);
      target = { port, app: sut, fake, baseline: await footprint(sut) };
      fake.requests.length = 0;
    });

    afterAll(async () => {
      await sut?.close();
      await fake?.stop();
    });

    // BUG: an unknown body field named "prototype" is accepted (200, a checkout is written).
    // Nest's ValidationPipe deletes `prototype` (and `__proto__`, `constructor`) keys before
    // validating (stripProtoKeys), so the whitelist never sees it; ApiValidationPipe's own check
    // (readableBody) refuses only the keys of Object.prototype, and "prototype" is not one.
    // Shrunk counterexample: ["sessions", null, false], that is
    //   POST /api/subscriptions/sessions {"successUrl":"https://app.example.com/welcome","prototype":null}
    //   → 200 {"id":"cs_test_…","url":"https://checkout.stripe.test/c/pay/cs_test_…"}
    // (a customer and a checkout at the provider, rows in customers and checkout_sessions).
    it('should refuse an unknown body field named "prototype" like any other unknown field', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<Named>('sessions', 'portal', 'billing'),
          fc.jsonValue({ maxDepth: 1 }),
          fc.boolean(),
          async (endpoint, value, first) => {
            const valid = json(validBody(endpoint)).slice(1, -1);
            const extra = `"prototype":${json(value)}`;
            const answer = await send(
              target.port,
              request(endpoint, '', `{${first ? `${extra},${valid}` : `${valid},${extra}`}}`),
            );
            expectErrorAnswer(answer, endpoint === 'billing' ? 'envelope' : 'simple', [400]);
            expect(messageOf(answer)).toBe('Unknown field: …');
            await assertNothingWritten(target);
          },
        ),
        { numRuns: 100 },
      );
    });

    // BUG: query parameters named like Object.prototype's members (constructor, toString,
    // hasOwnProperty, valueOf, __proto__, … and prototype) are accepted where any other unknown
    // parameter gets 400 "Unknown field": class-transformer skips the names the DTO instance
    // inherits as functions, and Nest's stripProtoKeys deletes __proto__, prototype and
    // constructor, so the whitelist sees none of them. On the POST endpoints with a valid body the
    // request goes through (200, a checkout or portal session at the provider).
    // Shrunk counterexample: ["sessions", "constructor", ""], that is
    //   POST /api/subscriptions/sessions?constructor= {"successUrl":"https://app.example.com/welcome"}
    //   → 200 {"id":"cs_test_…","url":"https://checkout.stripe.test/c/pay/cs_test_…"}
    // and GET /api/subscriptions/me?constructor= → 200 {"subscription":null}.
    it('should refuse query parameters named like Object.prototype members like any other unknown parameter', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<Named>('sessions', 'me', 'portal', 'billing'),
          fc.constantFrom(...OBJECT_PROTOTYPE_NAMES),
          fc.stringMatching(/^[a-z0-9]{0,6}$/),
          async (endpoint, name, value) => {
            const body = validBody(endpoint);
            const answer = await send(
              target.port,
              request(endpoint, `${queryText(name)}=${value}`, body === undefined ? undefined : json(body)),
            );
            expectErrorAnswer(answer, endpoint === 'billing' ? 'envelope' : 'simple', [400]);
            expect(messageOf(answer)).toBe('Unknown field: …');
            await assertNothingWritten(target);
          },
        ),
        { numRuns: 100 },
      );
    });

    // BUG: CR LF injected into the request target leaves a request line without an HTTP version,
    // which Node's HTTP parser takes for HTTP/0.9 while still reading headers and body: the
    // injected line becomes a request header, the request is served (200) and a checkout is
    // written. Raw answer: "HTTP/1.1 200 OK" … {"id":"cs_test_…","url":"https://checkout.stripe.test/…"}
    // (Node 20's llhttp reports httpVersion "0.9" for it.)
    it('should refuse a request line without an HTTP version (CR LF injected into the request target) with a 400', async () => {
      const body = json({ successUrl: `${APP_ORIGIN}/injected` });
      const bytes = Buffer.from(
        `POST ${SESSIONS.path}\r\nset-cookie: evil=1 HTTP/1.1\r\nhost: localhost\r\nx-api-key: ${owner.apiKey}\r\n` +
          `content-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        'latin1',
      );
      const answer = await rawExchange(target.port, bytes);
      console.log(
        `HTTP/0.9-style request line, raw answer:\n${answer.split('\r\n')[0]} … ${answer.split('\r\n\r\n').slice(1).join('')}`,
      );
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      await assertNothingWritten(target);
    });
  });
});
