import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from '../src/app.setup';
import { loadConfig } from '../src/config/load-config';
import { buildOpenApiDocument } from '../src/openapi';
import { generateOpenApiTypes, OPENAPI_TYPES_PATH } from './openapi-types';

/** The committed document; test/openapi.e2e-spec.ts fails when it drifts from the code. */
const OPENAPI_PATH = resolve(__dirname, '..', 'openapi.json');

/**
 * Builds the app as the service does (sandbox provider, throw-away database) and writes its
 * OpenAPI document, and the TypeScript types a client generated from it uses.
 */
async function main(): Promise<void> {
  // PUBLIC_URL's default, named here so that the committed `servers` entry never depends on the caller.
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3000',
  });
  const app = await createApp(config);
  try {
    await app.init();
    const document = buildOpenApiDocument(app);
    const json = JSON.stringify(document, null, 2);
    writeFileSync(OPENAPI_PATH, `${json}\n`);
    process.stdout.write(`Wrote ${OPENAPI_PATH}\n`);
    // From the JSON text, as a client generated from the committed file sees it.
    writeFileSync(OPENAPI_TYPES_PATH, await generateOpenApiTypes(JSON.parse(json) as object));
    process.stdout.write(`Wrote ${OPENAPI_TYPES_PATH}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
