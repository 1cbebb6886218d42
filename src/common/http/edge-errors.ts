import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { codeForStatus } from '../errors/error-code';
import { presentError } from './error-presenters';

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
    .send(presentError(request.url, { status, code: codeForStatus(status), message }));
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
