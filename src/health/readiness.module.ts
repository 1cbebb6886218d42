import { Module } from '@nestjs/common';
import { ReadinessChecks } from './readiness-checks';

/** Where modules register what GET /health checks besides the database (ReadinessChecks). */
@Module({
  providers: [ReadinessChecks],
  exports: [ReadinessChecks],
})
export class ReadinessModule {}
