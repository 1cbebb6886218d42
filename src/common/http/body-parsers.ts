import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseQueryString } from 'node:querystring';
import secureJson from 'secure-json-parse';
import { familyPath } from './error-presenters';

/** The JSON body limit of the API: 413 for a body over 100 kB (docs/api.md#errors). */
export const MAX_JSON_BODY_BYTES = 100 * 1024;
/** Beyond this the connection's body is not read at all (Fastify answers 413 on its own). */
export const HARD_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * A body that could not be read. Parsing errors are not thrown while the body is read, which
 * happens before any guard runs: they are carried to the validation pipe so that an
 * unauthenticated caller always gets 401 first.
 */
export class UnreadableBody {
  constructor(readonly reason: 'invalid-json' | 'too-deep' | 'too-large' | 'unsupported-media-type') {}
}

export type RequestWithRawBody = FastifyRequest & { rawBody?: Buffer };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** No request of the API nests deeper than this; deeper bodies are refused before validation. */
export const MAX_JSON_DEPTH = 16;

/** Whether a parsed JSON value nests deeper than `limit` (iteratively: no recursion to overflow). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Replaces Nest's and Fastify's body parsers (the app is created with `bodyParser: false`). */
export function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: HARD_BODY_LIMIT_BYTES },
    (request, body: Buffer, done) => {
      (request as RequestWithRawBody).rawBody = body;
      if (body.length > MAX_JSON_BODY_BYTES) return done(null, new UnreadableBody('too-large'));
      if (body.length === 0) return done(null, undefined);
      try {
        // Rejects invalid UTF-8, and `__proto__` / `constructor.prototype` keys outright.
        const parsed: unknown = secureJson.parse(utf8.decode(body), undefined, {
          protoAction: 'error',
          constructorAction: 'error',
        });
        done(null, nestsDeeperThan(parsed, MAX_JSON_DEPTH) ? new UnreadableBody('too-deep') : parsed);
      } catch {
        done(null, new UnreadableBody('invalid-json'));
      }
    },
  );
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: HARD_BODY_LIMIT_BYTES },
    (request, body, done) => {
      (request as RequestWithRawBody).rawBody = body as Buffer;
      done(
        null,
        new UnreadableBody(
          (body as Buffer).length > MAX_JSON_BODY_BYTES ? 'too-large' : 'unsupported-media-type',
        ),
      );
    },
  );
  // The sandbox's hosted pages post plain HTML forms; the API itself takes JSON only.
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: MAX_JSON_BODY_BYTES },
    (request, body, done) =>
      familyPath(request).startsWith('/sandbox/')
        ? done(null, { ...parseQueryString(body as string) })
        : done(null, new UnreadableBody('unsupported-media-type')),
  );
}
