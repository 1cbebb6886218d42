import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';

// The documented shape of GET /health, as the service answers it: indicators report `up` or
// `down` through HealthIndicatorService, with no `degraded` state and no `responseTime`, which
// the schema of @nestjs/terminus's own @HealthCheck() documentation lists since its version 12.

const DB_EXAMPLE = { database: { status: 'up' } };
const REDIS_EXAMPLE = { redis: { status: 'down', message: 'Redis does not answer' } };

const indicators = (example: object) => ({
  type: 'object' as const,
  example,
  additionalProperties: {
    type: 'object' as const,
    required: ['status'],
    properties: { status: { type: 'string' as const } },
    additionalProperties: true,
  },
});

function healthCheckSchema(status: 'ok' | 'error') {
  return {
    type: 'object' as const,
    properties: {
      status: { type: 'string' as const, example: status },
      info: { ...indicators(DB_EXAMPLE), nullable: true },
      error: { ...indicators(status === 'error' ? REDIS_EXAMPLE : {}), nullable: true },
      details: indicators(status === 'error' ? { ...DB_EXAMPLE, ...REDIS_EXAMPLE } : DB_EXAMPLE),
    },
  };
}

/** The responses of a health check endpoint; use with @HealthCheck({ swaggerDocumentation: false }). */
export function ApiHealthCheckResponses(): MethodDecorator {
  return applyDecorators(
    ApiServiceUnavailableResponse({
      description: 'The Health Check is not successful',
      schema: healthCheckSchema('error'),
    }),
    ApiOkResponse({ description: 'The Health Check is successful', schema: healthCheckSchema('ok') }),
  );
}
