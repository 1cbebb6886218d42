import fc from 'fast-check';
import { SUBSCRIPTION_PRICE } from '../../support/test-app';
import { BILLING_PRICE, MAX_QUANTITY, ONE_TIME_PRICE } from './contract';
import {
  applyPoison,
  FieldSpec,
  JsonEndpoint,
  Noise,
  noiseArbitrary,
  Poison,
  poisonArbitrary,
  poisonList,
  queryText,
} from './json-poisons';
import { Probe, urlChecks } from './property';
import { goodUrl } from './redirect-urls';
import { Actors, allowedStatuses, Draft, render } from './requests';
import {
  badBooleanRaw,
  badIntegerRaw,
  badMetadataRaw,
  badModeRaw,
  badPriceId,
  badUrlRaw,
  goodMetadata,
  json,
  nonUuid,
  RawJson,
  wrongTypeRaw,
} from './values';

// --- The endpoints ------------------------------------------------------------------------------

export const urlField = (name: string): FieldSpec => ({ name, required: true, bad: badUrlRaw });

export const SESSIONS: JsonEndpoint = {
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

export const PORTAL: JsonEndpoint = {
  name: 'POST /api/subscriptions/portal',
  path: '/api/subscriptions/portal',
  shape: 'simple',
  fields: [urlField('returnUrl')],
  queryParams: ['accountId'],
  bodyAccountId: false,
  checks: [urlChecks('returnUrl')],
  goodBody: () => goodUrl.map((url) => [['returnUrl', json(url)]]),
};

export const BILLING: JsonEndpoint = {
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

export type MePoison = Extract<
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

export const ME_POISON_KINDS = [
  'unknown-param',
  'repeated-param',
  'bracket-param',
  'bad-account-id',
  'bad-test-mode',
  'test-mode-on',
  'bad-credential',
  'override',
];

export const ME: JsonEndpoint = {
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
export function meArbitrary(actors: Actors) {
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

export function buildMeProbe(
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
