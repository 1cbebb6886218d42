import {
  applyDecorators,
  CallHandler,
  Catch,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { ApiExceptionFilter } from '../../common/http/api-exception.filter';
import { Problem } from '../../common/http/error-presenters';
import { SameOriginPostGuard } from './same-origin-post.guard';
import { html, Html, page } from './sandbox-html';

export const HTML = 'text/html; charset=utf-8';

/**
 * The sandbox's pages and their forms' answers show live state and carry session ids: no browser
 * or proxy keeps them (Back and a reload ask again).
 */
@Injectable()
export class NoStoreInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    context.switchToHttp().getResponse<FastifyReply>().header('cache-control', 'no-store');
    return next.handle();
  }
}

/**
 * A page's GET, or a browser's form post (browsers ask for text/html when they navigate): an error
 * is a page in the person's tab. A script's post (curl, fetch) keeps the JSON `{error}`.
 */
export function wantsPage(request: Pick<FastifyRequest, 'method' | 'headers'>): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  return /\btext\/html\b/i.test(String(request.headers.accept ?? ''));
}

/** The API's error handling (status, logging, Retry-After), with the body as a sandbox page. */
@Catch()
export class SandboxPageExceptionFilter extends ApiExceptionFilter {
  protected override send(request: FastifyRequest, reply: FastifyReply, problem: Problem): void {
    if (!wantsPage(request)) {
      super.send(request, reply, problem);
      return;
    }
    const title = errorTitle(problem.status);
    reply.type(HTML).send(page(title, errorBody(title, problem)));
  }
}

function errorTitle(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 403) return 'Refused';
  if (status === 429) return 'Too many requests';
  if (status >= 500) return 'Something went wrong';
  return 'This cannot be done';
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function errorBody(title: string, problem: Problem): Html {
  return html`<h1>${title}</h1>
    <p class="notice" role="status" data-testid="error">${sentence(problem.message)}</p>
    ${
      problem.status === 404
        ? html`<p>
            The link may be mistyped, or come from another database of the service: sandbox pages are made by
            the API (<code>POST /api/billing/checkout</code>, <code>POST /api/subscriptions/portal</code>).
          </p>`
        : null
    }
    <p><a href="/docs">API documentation</a></p>`;
}

/**
 * What every controller of the sandbox's pages shares: out of the API document, forms refused
 * from other sites, errors as pages, nothing cached.
 */
export const SandboxPages = () =>
  applyDecorators(
    ApiExcludeController(),
    UseGuards(SameOriginPostGuard),
    UseFilters(SandboxPageExceptionFilter),
    UseInterceptors(NoStoreInterceptor),
  );
