import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WWW_AUTHENTICATE } from '../../auth/credential-hints';
import { DomainError, RateLimitedError } from '../errors/domain-errors';
import { codeForStatus, ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { methodNotAllowed, methodsAllowedOn } from './edge-errors';
import { presentError, Problem } from './error-presenters';

/** Seconds a client should wait before retrying a 503. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The HTTP edge for every error: domain errors by their code, framework errors by their
 * status, anything else 500 with a generic message (the detail goes to the log only).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let problem = toProblem(exception);
    // Nest answers a request no route takes with a NotFoundException; when the path is known to
    // other methods, the caller used the wrong method, and 405 with Allow says which to use.
    if (exception instanceof NotFoundException) {
      const allowed = methodsAllowedOn(request);
      if (allowed.length > 0) {
        problem = methodNotAllowed(request.method, allowed);
        reply.header('allow', allowed.join(', '));
      }
    }
    if (problem.status >= 500) {
      const cause = exception instanceof DomainError ? (exception.cause ?? exception) : exception;
      this.logger.error({ err: cause, code: problem.code, status: problem.status }, 'request failed');
    }
    if (problem.status === 401) {
      reply.header('www-authenticate', WWW_AUTHENTICATE);
      // The `{error}` family's body is fixed by its API document: the hint rides in a header
      // there, and in both families alike, so that a client finds it in one place.
      const hint = problem.details?.hint;
      if (typeof hint === 'string') reply.header('x-auth-hint', hint);
    }
    if (problem.status === 503 && !reply.getHeader('retry-after')) {
      reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    }
    reply.status(problem.status).header('cache-control', 'no-store');
    this.send(request, reply, problem);
  }

  /** The error's body: JSON in the shape of the request's API family. */
  protected send(request: FastifyRequest, reply: FastifyReply, problem: Problem): void {
    // A route may have set another type (the sandbox pages answer HTML) before failing.
    reply.type('application/json; charset=utf-8').send(presentError(request, problem));
  }
}

export function toProblem(exception: unknown): Problem {
  if (exception instanceof DomainError) {
    return {
      status: ERROR_STATUS[exception.code],
      code: exception.code,
      message: exception.message,
      ...(exception.details ? { details: exception.details } : {}),
    };
  }
  if (exception instanceof ThrottlerException) {
    return toProblem(new RateLimitedError());
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, code: codeForStatus(status), message: httpMessage(exception, status) };
  }
  return { status: 500, code: ErrorCode.INTERNAL_ERROR, message: 'Internal server error' };
}

function httpMessage(exception: HttpException, status: number): string {
  if (status === 413) return 'Request body is too large';
  if (status === 415) return 'Content-Type must be application/json';
  if (status >= 500) return 'Internal server error';
  const response = exception.getResponse();
  const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  if (Array.isArray(message)) return String(message[0]);
  return typeof message === 'string' && message.length > 0 ? message : exception.message;
}
