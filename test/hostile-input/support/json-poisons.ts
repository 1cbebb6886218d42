import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { APP_ORIGIN, inventedApiKey } from '../../support/test-app';
import {
  HARD_BODY_LIMIT_BYTES,
  KEYS_THE_PIPE_DOES_NOT_SEE_IN_BODIES,
  MAX_JSON_BODY_BYTES,
  MAX_JSON_DEPTH,
  OBJECT_PROTOTYPE_NAMES,
} from './contract';
import { Probe } from './property';
import { Actors, allowedStatuses, Credential, Draft, isRecord, render, Shape } from './requests';
import { anyStringRaw, headerText, json, nonUuid, oddNumberRaw, RawJson, wrongTypeRaw } from './values';

// --- Poisons and noise of the JSON endpoints ------------------------------------------------

export interface FieldSpec {
  name: string;
  required: boolean;
  /** Raw JSON of invalid values (each one makes the request invalid on its own). */
  bad: fc.Arbitrary<RawJson>;
}

export interface JsonEndpoint {
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

export type Poison =
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

export interface Noise {
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
   * noise here, never the only poison; found-inputs.e2e-spec.ts holds that each one alone is refused.
   */
  prototypeField: RawJson | null;
  prototypeParam: string | null;
}

/** Content types Fastify reads as JSON: the body is still parsed and validated. */
export const JSON_CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/json;charset=UTF-8',
  'application/json ; x=y',
  'application/json; charset=latin1',
  'application/json; charset="utf-16"',
];
/** Well-formed content types that are not JSON: 400 (or 413 when over the limit). */
export const OTHER_CONTENT_TYPES = [
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
export const MALFORMED_CONTENT_TYPES = [
  ';',
  'a/b/c',
  '/',
  'json',
  'application/',
  'application/json, text/plain',
];

/** Headers that may carry anything without changing what the request means. */
export const noiseHeaders = (
  actors: Actors,
  post: boolean,
): fc.Arbitrary<Record<string, string | string[]>> =>
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

export function noiseArbitrary(endpoint: JsonEndpoint, actors: Actors): fc.Arbitrary<Noise> {
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

export const escapeKey = (name: string) =>
  `"${Array.from({ length: name.length }, (_, i) => `\\u${name.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;

/** Query text for one value: percent-encoded, so that Node's client sends it as is. */
export const queryText = (value: string) => encodeURIComponent(value);

/** Query parameter names (decoded) that are unknown to the endpoint, and not prototype-named. */
export const unknownParamName = (known: string[]) =>
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
export function poisonArbitrary(endpoint: JsonEndpoint, actors: Actors): fc.Arbitrary<Poison> {
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
export const JSON_POISON_KINDS = [
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

export const PHASE: Record<Poison['kind'], number> = {
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
export const phaseOf = (poison: Poison) =>
  poison.kind === 'deep-nesting' && poison.where === 'top' ? 2 : PHASE[poison.kind];

export function fieldsOf(draft: Draft): Array<[RawJson, RawJson]> {
  if (draft.body.kind !== 'fields') throw new Error('field poisons run before the body is replaced');
  return draft.body.entries;
}

/** Whether a raw key names `field` once decoded (escaped spellings included). */
export const keyNames = (key: RawJson, field: string) => {
  try {
    return JSON.parse(key) === field;
  } catch {
    return false;
  }
};

export function setField(draft: Draft, field: string, value: RawJson): void {
  const entries = fieldsOf(draft).filter(([key]) => !keyNames(key, field));
  entries.push([json(field), value]);
  draft.body = { ...(draft.body as { spacing: string }), kind: 'fields', entries };
}

export function setAccountId(draft: Draft, where: 'query' | 'body', value: string): void {
  // The guard reads the body's accountId before the query's: both go, then one is set.
  draft.query = draft.query.filter(([name]) => name !== 'accountId');
  if (draft.body.kind === 'fields') {
    draft.body.entries = draft.body.entries.filter(([key]) => !keyNames(key, 'accountId'));
  }
  if (where === 'body' && draft.body.kind === 'fields')
    draft.body.entries.push([json('accountId'), json(value)]);
  else draft.query.push(['accountId', queryText(value)]);
}

export function nested(depth: number, object: boolean, closed: boolean): string {
  const open = object ? '{"a":' : '[';
  const close = object ? '}' : ']';
  return `${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}`;
}

export function applyPoison(draft: Draft, poison: Poison, endpoint: JsonEndpoint, actors: Actors): void {
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

export function buildJsonProbe(
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

export function poisonList<P>(poison: fc.Arbitrary<P>): fc.Arbitrary<P[]> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(poison) },
    { weight: 1, arbitrary: fc.array(poison, { minLength: 2, maxLength: 3 }) },
  );
}

export function jsonEndpointArbitrary(endpoint: JsonEndpoint, actors: Actors) {
  return fc.record({
    body: endpoint.goodBody(actors),
    noise: noiseArbitrary(endpoint, actors),
    // At least one poison: that is what makes every generated request invalid. Mostly one, so
    // that each check is reached on its own; sometimes several, to see which one wins.
    poisons: poisonList(poisonArbitrary(endpoint, actors)),
  });
}
