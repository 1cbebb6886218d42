import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseQueryString } from 'node:querystring';
import secureJson from 'secure-json-parse';

/** The JSON body limit of the API (DESIGN.md: 413 for a body over 100 kB). */
export const MAX_JSON_BODY_BYTES = 100 * 1024;
/** Beyond this the connection's body is not read at all (Fastify answers 413 on its own). */
export const HARD_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * A body that could not be read. Parsing errors are not thrown while the body is read, which
 * happens before any guard runs: they are carried to the validation pipe so that an
 * unauthenticated caller always gets 401 first.
 */
export class UnreadableBody {
  constructor(readonly reason: 'invalid-json' | 'too-large' | 'unsupported-media-type') {}
}

export type RequestWithRawBody = FastifyRequest & { rawBody?: Buffer };

const utf8 = new TextDecoder('utf-8', { fatal: true });

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
        const text = utf8.decode(body);
        done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
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
  // The sandbox's hosted pages post plain HTML forms.
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: MAX_JSON_BODY_BYTES },
    (_request, body, done) => done(null, { ...parseQueryString(body as string) }),
  );
}
