import { resolve } from 'node:path';
import openapiTS, { astToString, OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

/**
 * The TypeScript types of the committed OpenAPI document, for openapi-fetch's createClient
 * (test/generated-client.e2e-spec.ts). Written with openapi.json by `npm run openapi`;
 * test/generated-client.e2e-spec.ts fails when they drift from what openapi-typescript makes of it.
 */
export const OPENAPI_TYPES_PATH = resolve(__dirname, '..', 'test', 'support', 'openapi-types.ts');

const HEADER =
  '// Generated from openapi.json by openapi-typescript (`npm run openapi`): do not edit by hand.\n\n';

/** What openapi-typescript makes of the document, formatted as the repository formats code. */
export async function generateOpenApiTypes(document: object): Promise<string> {
  // defaultNonNullable off: a field with a default (mode, quantity, …) may be left out of a request;
  // openapi-typescript would otherwise make it required in request bodies too.
  const source = HEADER + astToString(await openapiTS(document as OpenAPI3, { defaultNonNullable: false }));
  const options = await resolveConfig(OPENAPI_TYPES_PATH);
  return format(source, { ...options, filepath: OPENAPI_TYPES_PATH });
}
