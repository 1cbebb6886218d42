import fc from 'fast-check';
import { useStripeApp } from '../support/stripe-app';
import { APP_ORIGIN, createAccount, SUBSCRIPTION_PRICE, TestAccount } from '../support/test-app';
import { BILLING_PRICE, OBJECT_PROTOTYPE_NAMES } from './support/contract';
import { assertNothingWritten, footprint, Target } from './support/footprint';
import { BILLING, ME, PORTAL, SESSIONS } from './support/json-endpoints';
import { queryText } from './support/json-poisons';
import { messageOf } from './support/property';
import { rawExchange, send } from './support/raw-http';
import { expectErrorAnswer, Outgoing } from './support/requests';
import { json } from './support/values';

/** Whether `value` has an own key `name` at any depth (JSON.parse makes `__proto__` an own key). */
function hasKeyNamed(value: unknown, name: string): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, child]) => key === name || hasKeyNamed(child, name));
}

describe('Hostile input, generated (guarantee 8)', () => {
  // --- Inputs the properties found -----------------------------------------------------------------
  // Each test below holds one input a property once got through (the comment says what it did):
  // the service refuses it now. The main properties keep these inputs out of their *poisons* (not
  // out of their noise), so the answer to each is asserted here exactly.
  describe('inputs the properties found', () => {
    const { fake, sut } = useStripeApp({
      prices: [
        { id: SUBSCRIPTION_PRICE, type: 'recurring' },
        { id: BILLING_PRICE, type: 'recurring' },
      ],
    });
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

    // An unknown body field named "prototype" gets 400 "Unknown field: prototype", as any other
    // unknown field does, though Nest's ValidationPipe deletes `prototype` keys before validating
    // (stripProtoKeys): ApiValidationPipe refuses it first. Once found as
    //   POST /api/subscriptions/sessions {"successUrl":"https://app.example.com/welcome","prototype":null}
    //   → 200 (a customer and a checkout at the provider, rows in customers and checkout_sessions).
    // A value with a `__proto__` key anywhere (fc.jsonValue makes some) is refused earlier, by the
    // JSON parser (secure-json-parse): 400 "Request body is not valid JSON" in the endpoint's shape.
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
            expect(messageOf(answer)).toBe(
              hasKeyNamed(value, '__proto__') ? 'Request body is not valid JSON' : 'Unknown field: …',
            );
            await assertNothingWritten(target);
          },
        ),
        {
          numRuns: 100,
          // Values with a `__proto__` key, on every endpoint: they get the parser's answer.
          examples: [
            ['sessions', JSON.parse('{"__proto__":null}') as fc.JsonValue, false],
            ['portal', JSON.parse('{"__proto__":{"polluted":true}}') as fc.JsonValue, true],
            ['billing', JSON.parse('[{"__proto__":1}]') as fc.JsonValue, false],
            ['billing', JSON.parse('{"a":1,"__proto__":"x"}') as fc.JsonValue, true],
          ],
        },
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    // Query parameters named like Object.prototype's members (constructor, toString,
    // hasOwnProperty, valueOf, __proto__, … and prototype) get 400 "Unknown field", as any other
    // unknown parameter does, though class-transformer skips the names the DTO instance inherits
    // as functions and Nest's stripProtoKeys deletes __proto__, prototype and constructor. Once
    // found as POST /api/subscriptions/sessions?constructor= with a valid body → 200 (a checkout at
    // the provider), and GET /api/subscriptions/me?constructor= → 200 {"subscription":null}.
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

    // CR LF injected into the request target leaves a request line without an HTTP version, which
    // Node's HTTP parser once took for HTTP/0.9 while still reading headers and body (the injected
    // line became a request header, the request was served and a checkout written): 400 now, and
    // nothing written.
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
