import type { FastifyInstance } from 'fastify';
import { MetricsService, UNMATCHED_ROUTE } from './metrics.service';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts every answered request, refused ones too, by its route's template
 * (`/api/billing/checkout/:sessionId`, never the path with its ids), so that series stay bounded.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    metrics.httpRequest(method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
