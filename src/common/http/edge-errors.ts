import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { codeForStatus, ErrorCode } from '../errors/error-code';
import { presentError, Problem } from './error-presenters';

/**
 * The server options under which requests that Node would answer on its own, with a bare status
 * and no body, reach the application instead, to be refused there by refuseUnservable.
 */
export const LENIENT_NODE_OPTIONS = {
  // Node's own answer to an HTTP/1.1 request without Host is a bodiless 400.
  requireHostHeader: false,
};

/** Requests whose Expect header Node found unsupported (Node answers them a bare 417 otherwise). */
const unmetExpectations = new WeakSet<IncomingMessage>();

/**
 * Hands requests with an Expect header other than 100-continue to the application, marked, so
 * that their 417 comes in the endpoint's own shape.
 */
export function forwardUnmetExpectations(server: Server): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    unmetExpectations.add(request);
    server.emit('request', request, response);
  });
}

/**
 * What the HTTP layer lets through but the service refuses before routing it any further:
 * returns the error to answer with (in the shape of the route the request was for), or null.
 */
export function refuseUnservable(request: FastifyRequest, reply: FastifyReply): Error | null {
  const raw = request.raw;
  // Node reads a request line with CR LF inside it as HTTP/0.9 and carries on: refuse it.
  if (raw.httpVersionMajor !== 1) return new BadRequestException('Malformed HTTP request');
  if (raw.httpVersionMinor >= 1 && raw.headers.host === undefined) {
    return new BadRequestException('The Host header is required');
  }
  if (unmetExpectations.has(raw)) {
    // The client may or may not send its body after a refused expectation: do not read on.
    reply.header('connection', 'close');
    return new HttpException('Expect supports only 100-continue', HttpStatus.EXPECTATION_FAILED);
  }
  return null;
}

/** The methods a path may be answered on; a route on this list answers some request there. */
const ROUTABLE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * For a request that no route answered: the methods some route answers on its path (for the
 * `Allow` header of a 405), or an empty list when the path is unknown whatever the method. A
 * catch-all route (the CORS preflight's `OPTIONS *`) says nothing about a path and is not counted.
 */
export function methodsAllowedOn(request: FastifyRequest): string[] {
  if (request.routeOptions?.url) return [];
  const path = request.url.split('?')[0];
  return ROUTABLE_METHODS.filter((method) => {
    if (method === request.method) return false;
    const route = request.server.findRoute({ method, url: path });
    return route !== null && !Object.hasOwn(route.params ?? {}, '*');
  });
}

/** The 405 for a request on a known path with a method none of its routes takes. */
export function methodNotAllowed(method: string, allowed: string[]): Problem {
  return {
    status: HttpStatus.METHOD_NOT_ALLOWED,
    code: ErrorCode.METHOD_NOT_ALLOWED,
    message: `${method} is not allowed here; this path accepts ${allowed.join(', ')}`,
  };
}

/**
 * Errors Fastify raises before a request reaches Nest (a malformed percent-encoding, an over-long
 * path segment): answered in the endpoint's own shape, like every other error.
 */
export function frameworkErrorHandler(
  error: { statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message = status === 414 ? 'Request URL is too long' : 'Malformed request URL';
  void reply
    .code(status)
    .type('application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(presentError(request, { status, code: codeForStatus(status), message }));
}

/**
 * Requests Node's HTTP parser refuses (header injection, conflicting lengths): there is no route
 * yet, so the answer is the `{error}` shape, and the connection closes.
 */
export function clientErrorHandler(error: { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({
    error: tooLarge ? 'Request headers are too large' : 'Malformed HTTP request',
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}
