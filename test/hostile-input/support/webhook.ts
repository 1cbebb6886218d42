import fc from 'fast-check';
import Stripe from 'stripe';
import { WEBHOOK_SECRET } from '../../support/test-app';
import { HARD_BODY_LIMIT_BYTES, MAX_JSON_BODY_BYTES, WEBHOOK_TOLERANCE_SECONDS } from './contract';
import {
  JSON_CONTENT_TYPES,
  MALFORMED_CONTENT_TYPES,
  nested,
  noiseHeaders,
  OTHER_CONTENT_TYPES,
} from './json-poisons';
import { Actors } from './requests';
import { headerText, json, oddNumberRaw, RawJson } from './values';

// --- POST /api/webhooks/stripe ----------------------------------------------------------------

export const signer = new Stripe('sk_test_signer_only');

export type Signature =
  | { kind: 'none' }
  | { kind: 'garbage'; value: string }
  | { kind: 'wrong-secret'; secret: string }
  | { kind: 'stale'; ageSeconds: number }
  | { kind: 'other-payload'; suffix: string }
  | { kind: 'scheme-only'; value: string };

export const WEBHOOK_SIGNATURE_KINDS = [
  'none',
  'garbage',
  'wrong-secret',
  'stale',
  'other-payload',
  'scheme-only',
];

export const eventTypes = fc.constantFrom(
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
export type WebhookBody =
  | { label: 'event'; id: string; type: string; created: RawJson; object: unknown }
  | { label: 'odd-json'; text: string }
  | { label: 'random-bytes'; bytes: number[] }
  | { label: 'deep-nesting'; depth: number; closed: boolean }
  | { label: 'oversized'; size: number };

/** Webhook bodies: event-shaped JSON with hostile values, or anything at all. */
export const webhookBody: fc.Arbitrary<WebhookBody> = fc.oneof(
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

export function webhookBytes(body: WebhookBody): Buffer {
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
export const webhookSignature: fc.Arbitrary<Signature> = fc.oneof(
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

export function signatureHeader(signature: Signature, payload: Buffer): string | undefined {
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

export function webhookArbitrary(actors: Actors) {
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
