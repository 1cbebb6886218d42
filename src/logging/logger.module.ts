import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';
import { AppConfig, LogFormat } from '../config/app-config';
import { containsSecret, redactQuery, redactSecrets } from './log-redaction';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id: the caller's `x-request-id` when it is sane, else a new one. Fastify assigns it
 * (and the app echoes it in the `x-request-id` response header); pino-http logs it on every line.
 * A secret is not a sane id: it would be logged (redacted, so no longer the id the caller knows).
 */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) && !containsSecret(incoming)
    ? incoming
    : randomUUID();
}

const unlogged = new WeakSet<IncomingMessage>();

/** Leaves a request out of the request log: a summary line elsewhere tells of it instead. */
export function skipRequestLog(request: IncomingMessage): void {
  unlogged.add(request);
}

/**
 * JSON logs, one line per request and per event within it, with the request id on each; at a
 * terminal (or with LOG_FORMAT=pretty) the same lines made readable. No secret reaches them:
 * requests are logged without their headers, query values dropped, and every line is scrubbed of
 * anything shaped like a key, a token or a sandbox page id on its way out, before it is prettified.
 */
export function loggerModule(config: AppConfig) {
  return LoggerModule.forRoot({
    // Every route. nestjs-pino's own default, `{/*splat}`, reaches @fastify/middie with a slash
    // put before it by @nestjs/platform-fastify 12 (`/{/*splat}`), which matches only `/`.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: [
      {
        level: config.logLevel,
        // Fastify has already put its id (see requestId) on the raw request.
        genReqId: (request) => request.id ?? requestId(request),
        // No `redact` paths: the serializers below keep no header at all (it was pino's costliest
        // step per line, ~2 KB allocated to censor fields that were never there), and every line
        // is scrubbed of secret-shaped text on its way out.
        hooks: { streamWrite: redactSecrets },
        serializers: {
          req: (request: { id: string; method: string; url: string }) => ({
            id: request.id,
            method: request.method,
            url: redactQuery(request.url),
          }),
          res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
        },
        customLogLevel: (request, response, error) => {
          if (unlogged.has(request)) return 'silent';
          return error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info';
        },
        // Health probes are not logged. The router has rewritten `url` by the time this runs.
        autoLogging: {
          ignore: (request) =>
            ((request as { originalUrl?: string }).originalUrl ?? request.url ?? '').split('?')[0] ===
            '/health',
        },
      },
      logDestination(logFormatOf(config)),
    ],
  });
}

/** LOG_FORMAT when set, else pretty for a person at a terminal and JSON for anything else. */
export function logFormatOf(config: Pick<AppConfig, 'logFormat'>): LogFormat {
  return config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json');
}

const destinations = new Map<LogFormat, DestinationStream>();

/**
 * Standard output. JSON is written asynchronously: under load the lines that pile up while a
 * write is in flight go out together in one write instead of one system call each, and whatever
 * is still buffered is written out when the process exits. Pretty lines, for a terminal, are
 * written as they come.
 */
function logDestination(format: LogFormat): DestinationStream {
  let destination = destinations.get(format);
  if (!destination) {
    destination = format === 'pretty' ? prettyDestination() : jsonDestination();
    destinations.set(format, destination);
  }
  return destination;
}

function jsonDestination(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false });
  process.on('exit', () => {
    try {
      stream.flushSync();
    } catch {
      // Nothing more can be done for the log as the process ends.
    }
  });
  return stream;
}

function prettyDestination(): DestinationStream {
  return pinoPretty({
    destination: 1,
    sync: true,
    colorize: Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    singleLine: true,
  });
}
