import fc from 'fast-check';
import { sql } from 'kysely';
import { APP_ORIGIN, createAccount, startTestApp, TestAccount, TestApp } from '../support/test-app';
import { MIN_REQUESTS_PER_ENDPOINT, PROPERTY_TIMEOUT_MS, RUNS_PER_ENDPOINT } from './support/contract';
import { assertNothingWritten, footprint, Target } from './support/footprint';
import { hostileProperty, logGenerated } from './support/property';
import { send } from './support/raw-http';
import { Actors, expectErrorAnswer, Shape } from './support/requests';
import { buildSandboxProbe, sandboxArbitrary, SandboxIds } from './support/sandbox';
import { json } from './support/values';

// Guarantee 8 (docs/guarantees.md#g8), with generated input, for the sandbox provider's hosted pages
// (see stripe-provider.e2e-spec.ts for how a request is made invalid by construction).

/** A GET is a browser's, answered a page; a post without Accept: text/html, a script's. */
const shapeFor = (method: 'GET' | 'POST'): Shape => (method === 'GET' ? 'page' : 'simple');

describe('Hostile input, generated (guarantee 8)', () => {
  afterAll(logGenerated);

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
      'should answer GET /sandbox/checkout/:id with a 404 page for generated ids and write nothing',
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
      'should answer POST /sandbox/checkout/:id/complete with 404 (403 from another site), a page or {error} as asked, for generated ids and write nothing',
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

    // An id with a NUL character never reaches the database (PostgreSQL refuses NUL in text, once
    // with a 500): it is no sandbox id, so 404 on both databases (a page for the GET, {error} for
    // a script's post). Once found as
    //   GET /sandbox/checkout/%00 (and POST …/%00/complete, GET /sandbox/portal/%00).
    it('should answer a sandbox checkout id with a NUL character with 404', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 10 }),
          fc.string({ maxLength: 10 }),
          fc.constantFrom('GET' as const, 'POST' as const),
          async (before, after, method) => {
            const id = encodeURIComponent(`${before}\u0000${after}`);
            const path = method === 'GET' ? `/sandbox/checkout/${id}` : `/sandbox/checkout/${id}/complete`;
            expectErrorAnswer(
              await send(target.port, { method, path, headers: {} }),
              shapeFor(method),
              [404],
            );
            await assertNothingWritten(target);
          },
        ),
        { numRuns: 100 },
      );
    });

    // A path segment with malformed percent-encoding gets a 4xx in the service's {error} shape
    // (a page when it decodes after all, as %E0%A4%Aa does, and reaches the page's route),
    // not Fastify's own {error, code: "FST_ERR_BAD_URL", message, statusCode}. Once found as
    //   GET /sandbox/checkout/%
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
          expectErrorAnswer(await send(target.port, { method, path, headers: {} }), shapeFor(method));
          await assertNothingWritten(target);
        }),
        { numRuns: 100 },
      );
    });

    // An id longer than Fastify's maxParamLength (100) gets a 4xx in the service's {error} shape,
    // not Fastify's own 414 {error, code: "FST_ERR_MAX_PARAM_LENGTH", message, statusCode}. Once
    // found as GET /sandbox/checkout/cs_sbx_ followed by 94 hex digits (101 characters).
    it('should answer a sandbox page id over 100 characters with a 4xx in the {error} shape', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.stringMatching(/^cs_sbx_[0-9a-f]{94,300}$/),
          fc.constantFrom('GET' as const, 'POST' as const),
          async (id, method) => {
            const path = method === 'GET' ? `/sandbox/checkout/${id}` : `/sandbox/checkout/${id}/complete`;
            expectErrorAnswer(await send(target.port, { method, path, headers: {} }), shapeFor(method));
            await assertNothingWritten(target);
          },
        ),
        { numRuns: 100 },
      );
    });
  });
});
