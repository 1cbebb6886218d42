import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { Caller } from '../../auth/principal';
import { IdempotencyService } from './idempotency.service';

type ApiRequest = FastifyRequest & { caller?: Caller };

/** Applies IdempotencyService to every authenticated POST that carries an `Idempotency-Key`. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<ApiRequest>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || !request.caller) return next.handle();
    const { caller } = request;
    const reply = http.getResponse<FastifyReply>();
    return from(
      this.idempotency
        .run(
          {
            accountId: caller.principal.accountId,
            key,
            fingerprint: {
              method: request.method,
              url: request.url,
              actingFor: caller.accountId,
              body: request.body ?? null,
            },
          },
          () => lastValueFrom(next.handle(), { defaultValue: undefined }),
        )
        .then(({ body, replayed }) => {
          if (replayed) reply.header('idempotent-replayed', 'true');
          return body;
        }),
    );
  }
}
