import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DatabaseHealthIndicator } from './database.health';
import { ApiHealthCheckResponses } from './health-check.schema';
import { ReadinessIndicator } from './readiness.indicator';

@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly readiness: ReadinessIndicator,
  ) {}

  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiHealthCheckResponses()
  @ApiOperation({
    // Public: no credential (load balancers and probes call it).
    security: [],
    summary: 'Liveness and readiness',
    description:
      'Answers when the process is alive; `status: ok` (200) when every part it needs is ready, ' +
      '`status: error` (503) with the failing part named under `error` when one is not. The parts: ' +
      '`database`, which must take a write (`{status: up, writable: true}`, or ' +
      '`{status: down, writable: false, message}`: unreachable, full, read-only, …); `redis`, when ' +
      'REDIS_URL is set, which must answer a PING; and the background work that registers itself ' +
      '(such as the outbound event dispatcher), each `{status: up|down, …}` with a `message` when down. ' +
      'Each part is given 1.5 s.',
  })
  @ApiOkResponse({ description: 'Alive and ready: the database takes writes, every other part is up' })
  @ApiServiceUnavailableResponse({ description: 'Alive, but a part is down (named under `error`)' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check('database'), ...this.readiness.indicators()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
