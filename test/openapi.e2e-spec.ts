import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { buildOpenApiDocument } from '../src/openapi';
import { startTestApp, TestApp } from './support/test-app';

// The OpenAPI document against the committed openapi.json (drift fails CI) and against the API
// seeds (docs/api.md#sources): a DTO or decorator change that breaks the contract fails here.

const ROOT = resolve(__dirname, '..');
const OPENAPI_PATH = join(ROOT, 'openapi.json');
/**
 * The API seeds this service was created from, copied into the repository so that the tests need
 * nothing outside it (.ci/run checks the copies against the originals).
 */
const SEEDS_DIR = join(ROOT, 'test', 'fixtures', 'seeds');
const REGENERATE_HINT =
  'openapi.json is out of date with the code: run `npm run openapi` and commit the result.';

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  description?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

interface Content {
  content?: Record<string, { schema?: Schema }>;
  description?: string;
}

interface Operation {
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: Content & { required?: boolean };
  responses: Record<string, Content>;
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, Schema>;
    securitySchemes?: Record<string, Record<string, unknown>>;
  };
}

/** Both schemes, as the sessions and portal seeds list them: either credential is enough. */
const BOTH_SCHEMES = [{ apiKeyAuth: [] }, { bearerAuth: [] }];
const JSON_MEDIA = 'application/json';

function readSeed(number: string): string {
  const file = existsSync(SEEDS_DIR) && readdirSync(SEEDS_DIR).find((name) => name.startsWith(`${number}_`));
  if (!file) throw new Error(`Seed ${number} not found in ${SEEDS_DIR}`);
  return readFileSync(join(SEEDS_DIR, file), 'utf8');
}

/** The sessions and portal seeds (000, 001) carry their OpenAPI document between ````yaml and ```` fences. */
function seedDocument(number: string): OpenApiDocument {
  const fenced = /^````yaml[^\n]*\n([\s\S]*?)^````/m.exec(readSeed(number));
  if (!fenced) throw new Error(`Seed ${number} has no \`\`\`\`yaml block`);
  return load(fenced[1]) as OpenApiDocument;
}

const normalize = (text: string | undefined): string | undefined => text?.replace(/\s+/g, ' ').trim();
const show = (value: unknown): string => (value === undefined ? 'absent' : JSON.stringify(value));

/** The component a schema names through `$ref` (or through `allOf: [$ref]`, which Nest emits for nullable refs). */
function schemaName(schema: Schema): string | undefined {
  const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0].$ref : undefined);
  return ref?.replace('#/components/schemas/', '');
}

function resolveSchema(document: OpenApiDocument, schema: Schema): Schema {
  const name = schemaName(schema);
  if (name === undefined) return schema;
  const target = document.components?.schemas?.[name];
  if (!target) throw new Error(`$ref to a missing schema: ${name}`);
  return resolveSchema(document, target);
}

/**
 * What differs between our schema and the seed's, one line per difference, $refs resolved on
 * both sides: the component name, `type`, `format`, the `required` list, the property names
 * (recursively), `enum` and any description the seed gives. Empty when they match.
 */
function schemaDifferences(
  ours: { document: OpenApiDocument; schema: Schema },
  seed: { document: OpenApiDocument; schema: Schema },
  at: string,
): string[] {
  const problems: string[] = [];
  const differ = (what: string, our: unknown, theirs: unknown) => {
    if (JSON.stringify(our) !== JSON.stringify(theirs)) {
      problems.push(`${at}: ${what} is ${show(our)}, the seed says ${show(theirs)}`);
    }
  };
  differ('the schema name', schemaName(ours.schema), schemaName(seed.schema));
  const our = resolveSchema(ours.document, ours.schema);
  const theirs = resolveSchema(seed.document, seed.schema);
  differ('type', our.type, theirs.type);
  differ('format', our.format, theirs.format);
  differ('required', [...(our.required ?? [])].sort(), [...(theirs.required ?? [])].sort());
  differ(
    'the property names',
    Object.keys(our.properties ?? {}).sort(),
    Object.keys(theirs.properties ?? {}).sort(),
  );
  if (theirs.enum !== undefined) differ('enum', our.enum, theirs.enum);
  if (theirs.description !== undefined) {
    differ('description', normalize(our.description), normalize(theirs.description));
  }
  for (const [name, property] of Object.entries(theirs.properties ?? {})) {
    const ourProperty = our.properties?.[name];
    if (ourProperty) {
      problems.push(
        ...schemaDifferences(
          { document: ours.document, schema: ourProperty },
          { document: seed.document, schema: property },
          `${at}.${name}`,
        ),
      );
    }
  }
  if (theirs.items) {
    if (!our.items) problems.push(`${at}: items are absent, the seed has them`);
    else {
      problems.push(
        ...schemaDifferences(
          { document: ours.document, schema: our.items },
          { document: seed.document, schema: theirs.items },
          `${at}[]`,
        ),
      );
    }
  }
  return problems;
}

function contentDifferences(
  ours: { document: OpenApiDocument; content: Content },
  seed: { document: OpenApiDocument; content: Content },
  at: string,
): string[] {
  const problems: string[] = [];
  if (
    seed.content.description !== undefined &&
    normalize(ours.content.description) !== normalize(seed.content.description)
  ) {
    problems.push(
      `${at}: description is ${show(ours.content.description)}, the seed says ${show(seed.content.description)}`,
    );
  }
  for (const [mediaType, { schema }] of Object.entries(seed.content.content ?? {})) {
    const ourSchema = ours.content.content?.[mediaType]?.schema;
    if (!ourSchema) problems.push(`${at}: no ${mediaType} schema, the seed has one`);
    else if (schema) {
      problems.push(
        ...schemaDifferences(
          { document: ours.document, schema: ourSchema },
          { document: seed.document, schema },
          `${at} ${mediaType}`,
        ),
      );
    }
  }
  return problems;
}

type Aspect = 'description' | 'requestBody' | 'responses' | 'security';

/** Differences between our operation and the seed's, in one aspect of it. */
function operationDifferences(
  ours: OpenApiDocument,
  seed: OpenApiDocument,
  path: string,
  method: string,
  aspect: Aspect,
): string[] {
  const seedOperation = seed.paths[path]?.[method];
  if (!seedOperation) throw new Error(`The seed has no ${method.toUpperCase()} ${path}`);
  const operation = ours.paths[path]?.[method];
  if (!operation) return [`${method.toUpperCase()} ${path} is not in the document`];
  switch (aspect) {
    case 'description': {
      // We may say more than the seed, never something else: ours begins with the seed's text.
      const seedText = normalize(seedOperation.description) ?? '';
      return normalize(operation.description)?.startsWith(seedText)
        ? []
        : [`description ${show(operation.description)} does not begin with the seed's ${show(seedText)}`];
    }
    case 'requestBody': {
      if (!seedOperation.requestBody) return [];
      if (!operation.requestBody) return ['requestBody is absent, the seed has one'];
      const problems: string[] = [];
      if (operation.requestBody.required !== seedOperation.requestBody.required) {
        problems.push(
          `requestBody.required is ${show(operation.requestBody.required)}, the seed says ${show(seedOperation.requestBody.required)}`,
        );
      }
      return problems.concat(
        contentDifferences(
          { document: ours, content: operation.requestBody },
          { document: seed, content: seedOperation.requestBody },
          'requestBody',
        ),
      );
    }
    case 'responses':
      return Object.entries(seedOperation.responses).flatMap(([status, response]) => {
        const ourResponse = operation.responses[status];
        if (!ourResponse) return [`response ${status} is not documented`];
        return contentDifferences(
          { document: ours, content: ourResponse },
          { document: seed, content: response },
          `response ${status}`,
        );
      });
    case 'security':
      return JSON.stringify(operation.security) === JSON.stringify(seedOperation.security)
        ? []
        : [`security is ${show(operation.security)}, the seed says ${show(seedOperation.security)}`];
  }
}

/** A compact view of a schema (type, required, properties; $refs resolved) for literal expectations. */
function shapeOf(document: OpenApiDocument, schema: Schema): unknown {
  const resolved = resolveSchema(document, schema);
  return {
    type: resolved.type,
    ...(resolved.required && { required: [...resolved.required].sort() }),
    ...(resolved.properties && {
      properties: Object.fromEntries(
        Object.entries(resolved.properties).map(([name, property]) => [name, shapeOf(document, property)]),
      ),
    }),
  };
}

function jsonSchemaOf(content: Content | undefined): Schema {
  const schema = content?.content?.[JSON_MEDIA]?.schema;
  if (!schema) throw new Error(`No ${JSON_MEDIA} schema`);
  return schema;
}

function operationsOf(document: OpenApiDocument): { key: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      operation,
    })),
  );
}

const SEEDED_OPERATIONS = [
  { seed: '000', path: '/api/subscriptions/sessions', method: 'post' },
  { seed: '001', path: '/api/subscriptions/portal', method: 'post' },
];
const ASPECTS: { aspect: Aspect; title: string }[] = [
  {
    aspect: 'requestBody',
    title: "should take the seed's request body: schema, names, types, formats, required",
  },
  {
    aspect: 'responses',
    title: 'should document every status the seed lists, with its description and body',
  },
  { aspect: 'security', title: "should take the seed's security: an API key or a bearer token" },
  { aspect: 'description', title: "should describe the operation in the seed's words" },
];

/** Operations no client input can fail: documenting a 4xx for them would be a lie. */
const WITHOUT_CLIENT_ERRORS: Record<string, string> = {
  'GET /health': 'takes no input and no credentials, and answers 200 or 503',
};

describe('OpenAPI document', () => {
  let sut: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    sut = await startTestApp();
    // Through JSON, as openapi.json and /docs-json carry it (undefined members dropped).
    document = JSON.parse(JSON.stringify(buildOpenApiDocument(sut.app))) as OpenApiDocument;
  });

  afterAll(async () => {
    await sut.close();
  });

  describe('servers', () => {
    it('should name the default PUBLIC_URL in the committed document', () => {
      expect((document as { servers?: unknown }).servers).toEqual([{ url: 'http://localhost:3000' }]);
    });

    it('should name PUBLIC_URL in the document a service serves', async () => {
      const served = await startTestApp({ PUBLIC_URL: 'https://billing.example.test/' });
      try {
        const response = await served.http().get('/docs-json').expect(200);

        expect(response.body.servers).toEqual([{ url: 'https://billing.example.test' }]);
      } finally {
        await served.close();
      }
    });
  });

  describe('committed openapi.json', () => {
    const expectCommitted = (built: unknown): void => {
      if (!existsSync(OPENAPI_PATH)) throw new Error(`${OPENAPI_PATH} is missing. ${REGENERATE_HINT}`);
      try {
        expect(built).toEqual(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
      } catch (error) {
        if (error instanceof Error) error.message = `${REGENERATE_HINT}\n\n${error.message}`;
        throw error;
      }
    };

    it('should equal the document the code builds', () => {
      expectCommitted(document);
    });

    it('should be the document GET /docs-json serves', async () => {
      const response = await sut.http().get('/docs-json').expect(200);

      expectCommitted(response.body);
    });
  });

  describe('the root of the service', () => {
    it('should redirect GET / to the docs (302), which answer', async () => {
      const root = await sut.http().get('/').redirects(0);

      expect(root.status).toBe(302);
      expect(root.headers.location).toBe('/docs');
      const docs = await sut.http().get('/docs').redirects(0);
      expect(docs.status).toBe(200);
      expect(docs.headers['content-type']).toMatch(/^text\/html/);
    });

    it('should stay out of the document', () => {
      expect(document.paths['/']).toBeUndefined();
    });
  });

  describe.each(SEEDED_OPERATIONS)('$method $path (seed $seed)', ({ seed, path, method }) => {
    let seedDoc: OpenApiDocument;

    beforeAll(() => {
      seedDoc = seedDocument(seed);
    });

    it.each(ASPECTS)('$title', ({ aspect }) => {
      expect(operationDifferences(document, seedDoc, path, method, aspect)).toEqual([]);
    });

    it("should declare the seed's security schemes", () => {
      const seedSchemes = seedDoc.components?.securitySchemes ?? {};
      const ourSchemes = document.components?.securitySchemes ?? {};

      expect(Object.keys(seedSchemes).sort()).toEqual(['apiKeyAuth', 'bearerAuth']);
      for (const [name, scheme] of Object.entries(seedSchemes)) {
        // The seed's description is its own product's text; the scheme itself must match.
        const { description: _description, ...essentials } = scheme;
        expect({ [name]: ourSchemes[name] }).toMatchObject({ [name]: essentials });
      }
    });
  });

  describe('comparison with a seed', () => {
    const seedDoc = (): OpenApiDocument => seedDocument('000');
    const path = '/api/subscriptions/sessions';
    const request = (doc: OpenApiDocument): Schema =>
      doc.components!.schemas!.CreateSubscriptionSessionRequest;
    const mutations: {
      change: string;
      aspect: Aspect;
      mutate: (doc: OpenApiDocument) => void;
      expected: RegExp;
    }[] = [
      {
        change: 'a renamed field',
        aspect: 'requestBody',
        mutate: (doc) => {
          const { successUrl, ...rest } = request(doc).properties!;
          request(doc).properties = { ...rest, successURL: successUrl };
          request(doc).required = ['successURL'];
        },
        expected: /requestBody application\/json: the property names is \["accountId","successURL"\]/,
      },
      {
        change: 'a field made optional',
        aspect: 'requestBody',
        mutate: (doc) => {
          request(doc).required = [];
        },
        expected: /required is \[\], the seed says \["successUrl"\]/,
      },
      {
        change: 'a changed format',
        aspect: 'requestBody',
        mutate: (doc) => {
          request(doc).properties!.accountId.format = 'uri';
        },
        expected: /\.accountId: format is "uri", the seed says "uuid"/,
      },
      {
        change: 'a renamed schema',
        aspect: 'responses',
        mutate: (doc) => {
          jsonSchemaOf(doc.paths[path].post.responses['200']).$ref =
            '#/components/schemas/SubscriptionSessionErrorResponse';
        },
        expected: /response 200 application\/json: the schema name is "SubscriptionSessionErrorResponse"/,
      },
      {
        change: 'a reworded response description',
        aspect: 'responses',
        mutate: (doc) => {
          doc.paths[path].post.responses['400'].description = 'Bad request';
        },
        expected: /response 400: description is "Bad request", the seed says "Bad request - missing/,
      },
      {
        change: 'a missing status',
        aspect: 'responses',
        mutate: (doc) => {
          delete doc.paths[path].post.responses['401'];
        },
        expected: /response 401 is not documented/,
      },
      {
        change: 'a lost security scheme',
        aspect: 'security',
        mutate: (doc) => {
          doc.paths[path].post.security = [{ apiKeyAuth: [] }];
        },
        expected: /security is \[\{"apiKeyAuth":\[\]\}\]/,
      },
    ];

    // The seed held against a changed copy of itself, so that these hold whatever our DTOs say.
    it.each(mutations)('should report $change', ({ aspect, mutate, expected }) => {
      const changed = structuredClone(seedDoc());
      mutate(changed);

      expect(operationDifferences(seedDoc(), seedDoc(), path, 'post', aspect)).toEqual([]);
      expect(operationDifferences(changed, seedDoc(), path, 'post', aspect)).toContainEqual(
        expect.stringMatching(expected),
      );
    });
  });

  describe('POST /api/billing/checkout (the checkout and checkout options seeds)', () => {
    const checkout = (): Operation => document.paths['/api/billing/checkout'].post;
    const body = (): Schema => resolveSchema(document, jsonSchemaOf(checkout().requestBody));
    const errorShape = {
      type: 'object',
      required: ['error', 'success'],
      properties: {
        success: { type: 'boolean' },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
        },
      },
    };

    it('should check only fields and codes that the checkout seed names', () => {
      const seed = readSeed('002');

      expect(seed).toContain('POST /api/billing/checkout');
      for (const word of [
        'priceId',
        'successUrl',
        'cancelUrl',
        'metadata',
        'success',
        'data',
        'sessionId',
        'url',
        'error',
        'code',
        'message',
        'BAD_REQUEST',
        'UNAUTHORIZED',
      ]) {
        expect({ word, mentioned: new RegExp(`\\b${word}\\b`).test(seed) }).toEqual({
          word,
          mentioned: true,
        });
      }
    });

    it('should check only options that the checkout options seed names', () => {
      const seed = normalize(readSeed('003'));

      expect(seed).toContain('Checkout mode: subscription or payment');
      expect(seed).toContain('Quantity of items (minimum: 1)');
      expect(seed).toContain('allow_existing_subscription');
      expect(seed).toContain('Use test mode credentials');
    });

    it('should require successUrl and cancelUrl, and priceId but for a quantity update, as strings and take metadata as an optional object', () => {
      expect(checkout().requestBody?.required).toBe(true);
      // A quantity update (seed 004: the plan is "required for new contracts") has no priceId, so
      // the schema cannot require it; its description says when it is required.
      expect([...(body().required ?? [])].sort()).toEqual(['cancelUrl', 'successUrl']);
      expect(body().properties?.priceId.description).toMatch(
        /^Stripe price ID for the plan\. Required, except for a quantity update/,
      );
      expect(body().properties).toMatchObject({
        priceId: { type: 'string' },
        successUrl: { type: 'string' },
        cancelUrl: { type: 'string' },
        metadata: { type: 'object' },
      });
    });

    it("should take the checkout options seed's options in camelCase, all optional", () => {
      expect(Object.keys(body().properties ?? {}).sort()).toEqual([
        'allowExistingSubscription',
        'cancelUrl',
        'endTrial',
        'expiresInMinutes',
        'metadata',
        'mode',
        'priceId',
        'quantity',
        'subscriptionId',
        'successUrl',
        'timing',
      ]);
      expect(body().properties).toMatchObject({
        mode: { type: 'string', enum: ['subscription', 'payment'], default: 'subscription' },
        // The validator takes whole numbers only.
        quantity: { type: 'integer', minimum: 1 },
        allowExistingSubscription: { type: 'boolean', default: false },
        expiresInMinutes: { type: 'integer', minimum: 30, maximum: 1440, default: 1440 },
      });
      expect(body().required).not.toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^(mode|quantity|allowExistingSubscription|expiresInMinutes)$/),
        ]),
      );
    });

    it('should take testMode as an optional query parameter', () => {
      const testMode = checkout().parameters?.find((parameter) => parameter.name === 'testMode');

      expect(testMode).toMatchObject({ in: 'query', required: false, schema: { enum: ['true', 'false'] } });
    });

    it('should answer 200 with {success, data: {sessionId, url}}, adding type, expiresAt and estimates', () => {
      const shape = shapeOf(document, jsonSchemaOf(checkout().responses['200'])) as {
        required: string[];
        properties: { success: unknown; data: { required: string[]; properties: Record<string, unknown> } };
      };
      expect(shape.required).toEqual(['data', 'success']);
      expect(shape.properties.success).toEqual({ type: 'boolean' });
      expect(shape.properties.data.required).toEqual(['estimates', 'expiresAt', 'sessionId', 'type', 'url']);
      expect(shape.properties.data.properties).toMatchObject({
        sessionId: { type: 'string' },
        url: { type: 'string' },
        type: { type: 'string' },
        expiresAt: { type: 'string' },
      });
    });

    it.each([
      ['400', 'BAD_REQUEST'],
      ['401', 'UNAUTHORIZED'],
    ])('should answer %s with {success, error: {code, message}} and the code %s', (status, code) => {
      const schema = jsonSchemaOf(checkout().responses[status]);
      const detail = resolveSchema(document, resolveSchema(document, schema).properties!.error);

      expect(shapeOf(document, schema)).toEqual(errorShape);
      expect(detail.properties?.code.enum).toContain(code);
    });
  });

  describe('every operation', () => {
    it('should include the operations docs/api.md describes', () => {
      expect(operationsOf(document).map(({ key }) => key)).toEqual(
        expect.arrayContaining([
          'POST /api/subscriptions/sessions',
          'POST /api/subscriptions/portal',
          'POST /api/billing/checkout',
          'GET /api/subscriptions/me',
          'POST /api/webhooks/stripe',
          'GET /health',
        ]),
      );
    });

    it('should have a summary and a description', () => {
      const undocumented = operationsOf(document)
        .filter(({ operation }) => !operation.summary?.trim() || !operation.description?.trim())
        .map(({ key }) => key);

      expect(undocumented).toEqual([]);
    });

    it('should document at least one 4xx response', () => {
      const without4xx = operationsOf(document)
        .filter(({ key }) => !(key in WITHOUT_CLIENT_ERRORS))
        .filter(({ operation }) => !Object.keys(operation.responses).some((status) => /^4\d\d$/.test(status)))
        .map(({ key }) => key);

      expect(without4xx).toEqual([]);
    });

    it('should exempt from the 4xx rule only operations that document no 4xx', () => {
      const operations = new Map(operationsOf(document).map(({ key, operation }) => [key, operation]));

      for (const key of Object.keys(WITHOUT_CLIENT_ERRORS)) {
        expect({ key, statuses: Object.keys(operations.get(key)?.responses ?? {}) }).toEqual({
          key,
          statuses: expect.not.arrayContaining([expect.stringMatching(/^4/)]),
        });
        expect(operations.has(key)).toBe(true);
      }
    });

    it('should accept both security schemes on every /api/ operation but the webhook', () => {
      const api = operationsOf(document).filter(({ path }) => path.startsWith('/api/'));
      const webhook = api.filter(({ path }) => path === '/api/webhooks/stripe');
      const protectedOperations = api.filter(({ path }) => path !== '/api/webhooks/stripe');

      expect(protectedOperations.length).toBeGreaterThanOrEqual(4);
      for (const { key, operation } of protectedOperations) {
        expect({ key, security: operation.security }).toEqual({ key, security: BOTH_SCHEMES });
      }
      expect(webhook.map(({ operation }) => operation.security ?? [])).toEqual([[]]);
    });

    it('should say that the webhook and the health check take no credential (security: [])', () => {
      const operations = new Map(operationsOf(document).map(({ key, operation }) => [key, operation]));

      expect(operations.get('POST /api/webhooks/stripe')?.security).toEqual([]);
      expect(operations.get('GET /health')?.security).toEqual([]);
    });

    it('should define apiKeyAuth as the x-api-key header and bearerAuth as HTTP bearer', () => {
      expect(document.components?.securitySchemes).toMatchObject({
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearerAuth: { type: 'http', scheme: 'bearer' },
      });
    });
  });
});

describe('OpenAPI examples served at PUBLIC_URL', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ PUBLIC_URL: 'http://localhost:4999' });
  });

  afterAll(() => sut.close());

  it("should show the sandbox examples with the service's own address, so that Try it out works as shipped", async () => {
    const served = JSON.stringify((await sut.http().get('/docs-json').expect(200)).body);
    const committed = readFileSync(OPENAPI_PATH, 'utf8');

    expect(committed).toContain('http://localhost:3000/sandbox/return?checkout=success');
    expect(served).toContain('http://localhost:4999/sandbox/return?checkout=success');
    expect(served).not.toContain('http://localhost:3000/sandbox/return');
  });
});
