import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, Observable } from 'rxjs';
import { skipRequestLog } from '../logging/logger.module';
import { InvalidSignatureError } from '../common/errors/domain-errors';
import { WebhookRefusals } from './webhook-refusals';

/**
 * Answers a refused delivery 400, or 429 with Retry-After once its IP is over the limit; leaves
 * the refusals WebhookRefusals does not log out of the request log too.
 */
@Injectable()
export class WebhookRefusalInterceptor implements NestInterceptor {
  constructor(private readonly refusals: WebhookRefusals) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => from(this.refuse(error, context))));
  }

  private async refuse(error: unknown, context: ExecutionContext): Promise<never> {
    if (!(error instanceof InvalidSignatureError)) throw error;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const verdict = await this.refusals.record(request.ip, error.reason);
    if (!verdict.logged) skipRequestLog(request.raw);
    if (verdict.limitedForSeconds > 0) {
      http.getResponse<FastifyReply>().header('retry-after', String(verdict.limitedForSeconds));
      throw new ThrottlerException();
    }
    throw error;
  }
}
