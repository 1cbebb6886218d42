import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/http/api-exception.filter';
import { ApiValidationPipe } from './common/http/api-validation.pipe';
import { HARD_BODY_LIMIT_BYTES, registerBodyParsers } from './common/http/body-parsers';
import {
  clientErrorHandler,
  forwardUnmetExpectations,
  frameworkErrorHandler,
  LENIENT_NODE_OPTIONS,
  refuseUnservable,
} from './common/http/edge-errors';
import { securityHeaders } from './common/http/security-headers';
import { AppConfig } from './config/app-config';
import { requestId } from './logging/logger.module';
import { registerHttpMetrics } from './metrics/http-metrics';
import { MetricsService } from './metrics/metrics.service';
import { setupSwagger } from './openapi';
import { OriginRule } from './common/redirect/origin-rule';

/** Builds the application exactly as `npm start` runs it; the tests use this too. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: HARD_BODY_LIMIT_BYTES,
    genReqId: requestId,
    requestIdHeader: false,
    // On shutdown: idle keep-alive connections close, requests arriving meanwhile get 503.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    http: LENIENT_NODE_OPTIONS,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  configureApp(app, config);
  return app;
}

export function configureApp(app: NestFastifyApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify);
  registerHttpMetrics(fastify, app.get(MetricsService));
  forwardUnmetExpectations(fastify.server);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    const refusal = refuseUnservable(request, reply);
    if (refusal) {
      done(refusal);
      return;
    }
    done();
  });
  // While shutting down, answers close their connection, so that a client keeping it alive does
  // not hold the server open until the grace period runs out.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  const headers = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // The sandbox pages post forms that redirect to the application's own URLs.
        formAction: ["'self'", ...config.allowedRedirectOrigins.map((rule) => rule.text)],
        frameAncestors: ["'none'"],
        // Served over plain http on a developer's machine; TLS is the proxy's job (and HSTS's).
        upgradeInsecureRequests: null,
      },
    },
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  if (config.corsOrigins.length > 0) {
    const rules = config.corsOrigins
      .map((origin) => OriginRule.parse(origin))
      .filter((rule) => rule !== null);
    const allowAny = config.corsOrigins.includes('*');
    app.enableCors({
      origin: (origin, callback) =>
        callback(null, allowAny || (origin !== undefined && matchesAny(rules, origin))),
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'idempotency-key', 'x-request-id'],
      // What a browser client needs to read to act on an error: when to retry, how to
      // authenticate, which methods a path takes.
      exposedHeaders: ['x-request-id', 'retry-after', 'www-authenticate', 'x-auth-hint', 'allow'],
      maxAge: 600,
    });
  }
  // The root has no page of its own: a person who opens the service's URL lands on the API docs.
  fastify.get('/', (_request, reply) => reply.redirect('/docs', 302));
  app.useGlobalPipes(new ApiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  setupSwagger(app);
}

function matchesAny(rules: OriginRule[], origin: string): boolean {
  try {
    const url = new URL(origin);
    return rules.some((rule) => rule.matches(url));
  } catch {
    return false;
  }
}
