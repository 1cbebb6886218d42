import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DatabaseHealthIndicator } from './database.health';
import { ApiHealthCheckResponses } from './health-check.schema';

@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiHealthCheckResponses()
  @ApiOperation({
    // Public: no credential (load balancers and probes call it).
    security: [],
    summary: 'Liveness and readiness',
    description:
      'Answers when the process is alive; `status: ok` (200) when the database takes a write too ' +
      '(`database: {status: up, writable: true}`), `status: error` (503) with the failing part ' +
      'named when it does not (`database: {status: down, writable: false, message}`: unreachable, ' +
      'full, read-only, …).',
  })
  @ApiOkResponse({ description: 'Alive and ready: the database takes writes' })
  @ApiServiceUnavailableResponse({ description: 'Alive, but the database does not take writes' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check('database')]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
