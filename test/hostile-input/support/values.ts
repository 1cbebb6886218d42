import fc from 'fast-check';
import { INACTIVE_PRICE, PRICE_ID, PURCHASABLE_PRICES, UUID } from './contract';
import { badUrl } from './redirect-urls';

// --- Generic value generators ----------------------------------------------------------------

/** Raw JSON text of one value. It is sent as written, so it may be odd on purpose. */
export type RawJson = string;
export const json = (value: unknown): RawJson => JSON.stringify(value);

/** Numbers that are huge, negative, tiny, non-integer or beyond double range (`1e400` is Infinity). */
export const oddNumberRaw: fc.Arbitrary<RawJson> = fc.oneof(
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
export const wrongTypeRaw: fc.Arbitrary<RawJson> = fc.oneof(
  oddNumberRaw,
  fc.boolean().map(String),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map(json),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(json),
);

/** Long strings, with any code point (control characters, astral planes, lone-surrogate escapes). */
export const anyStringRaw: fc.Arbitrary<RawJson> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map(json),
  fc.integer({ min: 1_000, max: 20_000 }).map((length) => json('\u{1F4A9}x'.repeat(length / 3))),
  fc.constantFrom('"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"\\u202e\\u2066"'),
);

/** Printable Latin-1 text, the widest a header value or a header-sent string can be. */
export const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.constantFrom(' ', '\t') },
    ),
    maxLength,
  });

// --- Field values ----------------------------------------------------------------------------

/**
 * A required string field's invalid values: a string from `badString` (invalid by its own
 * generator), any other JSON type (IsDefined/IsString-like checks refuse it), or null (which
 * IsDefined refuses: "… is required").
 */
export const badRequiredString = (badString: fc.Arbitrary<string>): fc.Arbitrary<RawJson> =>
  fc.oneof(
    { weight: 6, arbitrary: badString.map(json) },
    { weight: 2, arbitrary: wrongTypeRaw },
    { weight: 1, arbitrary: fc.constant('null') },
  );

export const badUrlRaw = badRequiredString(badUrl);

/**
 * Never a purchasable price: either not [A-Za-z0-9_-]{1,255} (refused by @Matches), or well formed
 * but not one of the fake provider's active prices (the service asks the provider: "Invalid price
 * ID"). The prices a valid request may use are filtered out by name.
 */
export const badPriceId: fc.Arbitrary<RawJson> = badRequiredString(
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
export const badIntegerRaw = (min: number, max: number): fc.Arbitrary<RawJson> =>
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
export const badModeRaw: fc.Arbitrary<RawJson> = fc.oneof(
  fc
    .string({ maxLength: 20 })
    .filter((mode) => mode !== 'subscription' && mode !== 'payment')
    .map(json),
  fc.constantFrom('"Subscription"', '"PAYMENT"', '" payment"', '"payment\\u0000"', '"setup"'),
  wrongTypeRaw,
);

/** Never the JSON literals true or false, and never null: strings, numbers, arrays, objects. */
export const badBooleanRaw: fc.Arbitrary<RawJson> = fc.oneof(
  fc.constantFrom('"true"', '"false"', '0', '1', '""', '[]', '{}', '"yes"', '[true]'),
  oddNumberRaw,
  fc.string({ maxLength: 10 }).map(json),
);

/** Metadata keys that survive Nest's prototype-key stripping and that the service accepts. */
export const metadataKey = fc
  .string({ minLength: 1, maxLength: 20 })
  .filter(
    (key) => !/[[\]]/.test(key) && !['__proto__', 'prototype', 'constructor', 'accountId'].includes(key),
  );
export const goodMetadata = fc.dictionary(metadataKey, fc.string({ maxLength: 30 }), { maxKeys: 6 });

/**
 * Metadata Stripe (and so the service) refuses; see metadataProblem. Each branch breaks one of its
 * rules with keys that Nest's stripProtoKeys leaves in place (a broken entry under "constructor"
 * would be deleted, making the rest valid): not an object, a non-string value, a key that is empty,
 * over 40 characters or has brackets, a value over 500 characters, 50 keys plus the service's own,
 * or a pollution key that secure-json-parse refuses.
 */
export const badMetadataRaw: fc.Arbitrary<RawJson> = fc.oneof(
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
export const nonUuid = fc
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
