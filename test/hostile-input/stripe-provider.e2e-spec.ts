import { useStripeApp } from '../support/stripe-app';
import { APP_ORIGIN, createAccount, SUBSCRIPTION_PRICE, TestAccount } from '../support/test-app';
import {
  BILLING_PRICE,
  HARD_BODY_LIMIT_BYTES,
  INACTIVE_PRICE,
  MAX_JSON_BODY_BYTES,
  OBJECT_PROTOTYPE_NAMES,
  ONE_TIME_PRICE,
  PROPERTY_TIMEOUT_MS,
  RUNS_PER_ENDPOINT,
} from './support/contract';
import { footprint, Target } from './support/footprint';
import {
  BILLING,
  buildMeProbe,
  ME,
  ME_POISON_KINDS,
  meArbitrary,
  PORTAL,
  SESSIONS,
} from './support/json-endpoints';
import { buildJsonProbe, JSON_POISON_KINDS, jsonEndpointArbitrary } from './support/json-poisons';
import { COMMON_CHECKS, expectCoverage, hostileProperty, logGenerated } from './support/property';
import { rawExchange, send } from './support/raw-http';
import { Actors } from './support/requests';
import { json } from './support/values';
import { signatureHeader, WEBHOOK_SIGNATURE_KINDS, webhookArbitrary, webhookBytes } from './support/webhook';

// Guarantee 8 (docs/guarantees.md#g8), with generated input: every endpoint gets at least 1,000 generated
// requests (bodies, query strings and headers) that are invalid by construction, and each must get
// a 4xx in the endpoint's own error shape, never a 2xx or a 5xx, and write nothing: no local row
// and no POST to the (fake) provider. The hand-written cases are in test/bad-input.e2e-spec.ts.
//
// How a request is made invalid by construction: each generated request is a valid-looking base
// (the DTO's fields with valid or noisy values) plus at least one *poison*, a change that on its
// own makes the request invalid whatever else it carries. Noise is applied first and poisons last,
// and no poison can make valid what another poison broke (each one removes a field, sets an invalid
// value, adds an unknown field, replaces the body with an unreadable one, or adds an invalid header,
// query parameter or credential), so every request carries at least one reason to be refused.

//
// The generators, the raw-HTTP client and the oracles are in ./support; the sandbox pages are in
// sandbox-provider.e2e-spec.ts, single inputs the properties found in found-inputs.e2e-spec.ts.

describe('Hostile input, generated (guarantee 8)', () => {
  afterAll(logGenerated);

  describe('with the Stripe provider (a fake Stripe records every call)', () => {
    const { fake, sut } = useStripeApp({
      prices: [
        { id: SUBSCRIPTION_PRICE, type: 'recurring' },
        { id: BILLING_PRICE, type: 'recurring' },
        { id: ONE_TIME_PRICE, type: 'one_time' },
        { id: INACTIVE_PRICE, type: 'recurring', active: false },
      ],
    });
    let target: Target;
    let owner: TestAccount;
    let withCustomer: TestAccount;
    let admin: TestAccount;
    let other: TestAccount;

    const actorsFor = (self: TestAccount): Actors => ({ self, admin, other });

    beforeAll(async () => {
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
});
