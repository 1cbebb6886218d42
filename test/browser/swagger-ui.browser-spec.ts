import { BrowserContext, Locator, Page, Request } from 'playwright-core';
import { openPage, Screenshots, useBrowserSuite } from './browser-support';

// Swagger UI at /docs, used as a person exploring the API uses it: Authorize with either scheme,
// "Try it out" on POST /api/subscriptions/sessions, Execute, read the answer; and the document
// behind it (/docs-json) complete enough to explore: summaries, descriptions, examples, errors.

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  example?: unknown;
  examples?: unknown;
  default?: unknown;
}

interface Content {
  description?: string;
  content?: Record<string, { schema?: Schema; example?: unknown; examples?: unknown }>;
}

interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: Content;
  responses: Record<string, Content>;
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, unknown>> };
}

const SESSIONS_OPERATION =
  '#operations-subscriptions-SubscriptionSessionsController_createSubscriptionSession';

describe('Swagger UI at /docs, in a browser', () => {
  const suite = useBrowserSuite();
  let context: BrowserContext | undefined;
  let page: Page;
  let document: OpenApiDocument;

  beforeAll(async () => {
    const response = await fetch(`${suite.service.url}/docs-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  const openDocs = async () => {
    ({ context, page } = await openPage(suite.browser));
    await page.goto(`${suite.service.url}/docs`);
    await page.locator(SESSIONS_OPERATION).waitFor();
  };

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );

  /** Opens the Authorize dialog; the caller closes it. */
  const openAuthorizeDialog = async () => {
    await page.locator('.scheme-container').getByRole('button', { name: 'Authorize', exact: true }).click();
    const dialog = page.locator('.modal-ux');
    await dialog.getByRole('heading', { name: 'Available authorizations' }).waitFor();
    return {
      dialog,
      scheme: (name: 'apiKeyAuth' | 'bearerAuth') =>
        dialog.locator('.auth-container').filter({ hasText: name }),
      close: () => dialog.getByRole('button', { name: 'Close' }).first().click(),
    };
  };

  const authorize = async (scheme: Locator, value: string) => {
    await scheme.getByRole('textbox').fill(value);
    await scheme.getByRole('button', { name: 'Apply credentials' }).click();
    await scheme.getByRole('heading', { name: 'Authorized' }).waitFor();
  };

  const logOut = async (scheme: Locator) => {
    await scheme.getByRole('button', { name: 'Remove authorization' }).click();
    await scheme.getByRole('textbox').waitFor();
  };

  /** Clicks Execute; resolves with the request the page sent and the live response it shows for it. */
  const execute = async (operation: Locator) => {
    const [request] = await Promise.all([
      page.waitForRequest(
        (sent: Request) => sent.url() === `${suite.service.url}/api/subscriptions/sessions`,
      ),
      operation.getByRole('button', { name: 'Execute' }).click(),
    ]);
    const response = await request.response();
    const requestId = await response!.headerValue('x-request-id');
    // Swagger UI shows the response headers: wait for this very response, not the previous one.
    const shown = operation.locator('.live-responses-table .response', { hasText: requestId! });
    await shown.waitFor();
    const status = await shown.locator('.response-col_status').innerText();
    const body = await shown.locator('.response-col_description .highlight-code code').innerText();
    return { request, status: status.trim(), body: JSON.parse(body) };
  };

  it('should authorise both schemes, answer 200 with the URL when Try it out has a key, and 401 without', async () => {
    const shots = new Screenshots('swagger-try-it-out');
    const account = await suite.newAccount('Swagger UI explorer');
    await openDocs();
    await shots.take(page, 'swagger ui');
    expect(await page.locator('.information-container .title').innerText()).toContain(
      'Billing sessions service',
    );

    // Both security schemes are offered and both take a value.
    const auth = await openAuthorizeDialog();
    expect(await auth.scheme('apiKeyAuth').getByRole('heading', { level: 4 }).innerText()).toMatch(
      /apiKeyAuth\s+\(apiKey\)/,
    );
    expect(await auth.scheme('apiKeyAuth').innerText()).toContain('x-api-key');
    expect(await auth.scheme('bearerAuth').getByRole('heading', { level: 4 }).innerText()).toMatch(
      /bearerAuth\s+\(http, Bearer\)/,
    );
    await authorize(auth.scheme('apiKeyAuth'), account.apiKey);
    await authorize(auth.scheme('bearerAuth'), account.apiKey);
    await shots.take(page, 'both schemes authorised', auth.dialog);
    expect(await auth.dialog.getByRole('heading', { name: 'Authorized' }).count()).toBe(2);
    await auth.close();

    const operation = page.locator(SESSIONS_OPERATION);
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    const successUrl = `${suite.client.origin}/welcome`;
    await operation.locator('textarea.body-param__text').fill(JSON.stringify({ successUrl }, null, 2));
    await shots.take(page, 'try it out', operation.getByRole('button', { name: 'Execute' }));

    const authorised = await execute(operation);
    await shots.take(page, 'executed with both schemes', operation.locator('.live-responses-table'));

    expect(authorised.status).toBe('200');
    expect(authorised.body).toEqual({
      id: expect.stringMatching(/^cs_sbx_/),
      url: `${suite.service.url}/sandbox/checkout/${authorised.body.id}`,
    });
    const sentHeaders = await authorised.request.allHeaders();
    expect(sentHeaders['x-api-key']).toBe(account.apiKey);
    expect(sentHeaders.authorization).toBe(`Bearer ${account.apiKey}`);
    expect(authorised.request.postDataJSON()).toEqual({ successUrl });

    // The bearer scheme alone is enough (the open session is handed out again).
    const onlyBearer = await openAuthorizeDialog();
    await logOut(onlyBearer.scheme('apiKeyAuth'));
    await onlyBearer.close();
    const bearer = await execute(operation);
    await shots.take(
      page,
      'executed with the bearer scheme only',
      operation.locator('.live-responses-table'),
    );

    expect(bearer.status).toBe('200');
    expect(bearer.body).toEqual(authorised.body);
    const bearerHeaders = await bearer.request.allHeaders();
    expect(bearerHeaders['x-api-key']).toBeUndefined();
    expect(bearerHeaders.authorization).toBe(`Bearer ${account.apiKey}`);

    // Logged out of both: the 401 body, as the document promises it.
    const none = await openAuthorizeDialog();
    await logOut(none.scheme('bearerAuth'));
    expect(await none.dialog.getByRole('heading', { name: 'Authorized' }).count()).toBe(0);
    await none.close();
    const anonymous = await execute(operation);
    await shots.take(page, 'executed without credentials', operation.locator('.live-responses-table'));

    expect(anonymous.status).toBe('401');
    expect(anonymous.body).toEqual({ error: 'Authentication required' });
    const anonymousHeaders = await anonymous.request.allHeaders();
    expect(anonymousHeaders['x-api-key']).toBeUndefined();
    expect(anonymousHeaders.authorization).toBeUndefined();
    expect(await operation.locator('.responses-table tr.response[data-code="401"]').count()).toBe(1);
  });

  it('should show every operation with its summary, description and documented responses', async () => {
    const shots = new Screenshots('swagger-operations');
    await openDocs();
    await shots.take(page, 'every operation');
    expect(operations().length).toBeGreaterThanOrEqual(6);

    for (const { path, method, operation } of operations()) {
      const block = page.locator(`#operations-${operation.tags?.[0] ?? 'default'}-${operation.operationId}`);
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, summary: await block.locator('.opblock-summary-description').innerText() }).toEqual({
        where,
        summary: operation.summary,
      });
      expect(await block.locator('.opblock-summary-path').innerText()).toBe(path);

      await block.locator('.opblock-summary').click();
      const shown = await block.locator('.opblock-description').innerText();
      expect({ where, shown: shown.includes(firstSentence(operation.description)) }).toEqual({
        where,
        shown: true,
      });
      for (const code of Object.keys(operation.responses)) {
        expect({
          where,
          code,
          rows: await block.locator(`tr.response[data-code="${code}"]`).count(),
        }).toEqual({
          where,
          code,
          rows: 1,
        });
      }
    }
    await shots.take(page, 'last operation expanded', page.locator('.opblock').last());
  });

  it('should document every operation with a description, examples and its error bodies (/docs-json)', () => {
    const problems: string[] = [];
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['apiKeyAuth', 'bearerAuth']);

    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!operation.summary?.trim()) problems.push(`${where}: no summary`);
      if (!operation.description?.trim()) problems.push(`${where}: no description`);

      const bodies: Array<[string, Content]> = [
        ...(operation.requestBody ? [['request body', operation.requestBody] as [string, Content]] : []),
        ...Object.entries(operation.responses).map(
          ([code, response]) => [code, response] as [string, Content],
        ),
      ];
      for (const [what, content] of bodies) {
        const json = content.content?.['application/json'];
        if (!json?.schema) {
          problems.push(`${where} ${what}: no application/json schema`);
          continue;
        }
        if (
          json.example === undefined &&
          json.examples === undefined &&
          !exemplified(json.schema, document)
        ) {
          problems.push(`${where} ${what}: no example`);
        }
      }

      const errors = Object.entries(operation.responses).filter(([code]) => /^[45]\d\d$/.test(code));
      if (errors.length === 0) problems.push(`${where}: no error response documented`);
      for (const [code, response] of errors) {
        if (!response.description?.trim()) problems.push(`${where} ${code}: no description`);
      }
      if (operation.security?.length) {
        const schemes = operation.security.flatMap((requirement) => Object.keys(requirement)).sort();
        if (schemes.join() !== 'apiKeyAuth,bearerAuth')
          problems.push(`${where}: security is ${schemes.join()}`);
        if (!operation.responses['401']) problems.push(`${where}: no 401 documented`);
      }
    }

    expect(problems).toEqual([]);
  });
});

const firstSentence = (text = '') => text.split(/(?<=\.)\s/)[0].replace(/`/g, '');

/**
 * Whether Swagger UI can show a concrete example of a schema: an example on the schema itself, or
 * an example or default on every property (through `$ref`, nullable `allOf` and arrays).
 */
function exemplified(schema: Schema, document: OpenApiDocument, seen = new Set<string>()): boolean {
  if (schema.example !== undefined || schema.examples !== undefined) return true;
  const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0].$ref : undefined);
  if (ref) {
    const name = ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return true;
    const target = document.components.schemas[name];
    return target !== undefined && exemplified(target, document, new Set([...seen, name]));
  }
  if (schema.type === 'array' && schema.items) return exemplified(schema.items, document, seen);
  const properties = Object.values(schema.properties ?? {});
  return (
    properties.length > 0 &&
    properties.every((property) => property.default !== undefined || exemplified(property, document, seen))
  );
}
