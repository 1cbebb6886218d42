import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Answer, Outgoing } from './requests';

// --- Sending -------------------------------------------------------------------------------

/** node:http, not supertest: raw bytes, GET bodies, chunked bodies and repeated headers go out as built. */
export function send(port: number, outgoing: Outgoing): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...outgoing.headers };
    // Framed either way: Node sends a GET body without framing unless told how.
    if (outgoing.body !== undefined && outgoing.chunked) headers['transfer-encoding'] = 'chunked';
    else if (outgoing.body !== undefined) headers['content-length'] = String(outgoing.body.length);
    let answered = false;
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: outgoing.method,
        path: outgoing.path,
        headers,
        agent: false,
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          answered = true;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text,
            json: parsed,
          });
        });
        response.on('error', (error) => (answered ? undefined : reject(error)));
      },
    );
    // The server may answer (413) and close before the whole body is written: the answer counts.
    request.on('error', (error) => (answered ? undefined : reject(error)));
    request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
    if (outgoing.body !== undefined && outgoing.chunked && outgoing.body.length > 1) {
      const half = Math.floor(outgoing.body.length / 2);
      request.write(outgoing.body.subarray(0, half));
      request.end(outgoing.body.subarray(half));
    } else {
      request.end(outgoing.body);
    }
  });
}

export const summary = (outgoing: Outgoing): string => {
  const body = outgoing.body;
  const shown =
    body === undefined
      ? '(no body)'
      : body.length > 300
        ? `${body.length} bytes: ${JSON.stringify(body.subarray(0, 200).toString('latin1'))}…`
        : JSON.stringify(body.toString('latin1'));
  const headers = Object.fromEntries(
    Object.entries(outgoing.headers).map(([name, value]) => [
      name,
      typeof value === 'string' && value.length > 120 ? `${value.slice(0, 120)}… (${value.length})` : value,
    ]),
  );
  const path = outgoing.path.length > 300 ? `${outgoing.path.slice(0, 300)}…` : outgoing.path;
  return `${outgoing.method} ${path}\nheaders ${JSON.stringify(headers)}\nbody ${shown}`;
};

// --- Raw sockets --------------------------------------------------------------------------------

export function rawExchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (suffix = '') => resolve(Buffer.concat(chunks).toString('latin1') + suffix);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => done());
    socket.on('error', (error) => done(`\n[socket error: ${error.message}]`));
    socket.setTimeout(5_000, () => {
      socket.destroy();
      done('\n[no end within 5 s]');
    });
    socket.write(bytes);
  });
}
