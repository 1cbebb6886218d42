import { connect } from 'node:net';
import { sql } from 'kysely';
import { createAccount, startTestApp, TestAccount, TestApp } from './support/test-app';

// Each API family answers errors in its own shape: /api/billing/* in the envelope
// {success: false, error: {code, message}}, everything else {error}. The family is the route
// that answers (however its path was spelled: `%62` is `b`), and for a path no route answers,
// the path as decoded. Answers Node would give on its own, before any route (no Host, an
// unsupported Expect), come with a body in that shape too.

const envelope = (code: string) => ({
  success: false,
  error: { code, message: expect.any(String) },
});
const simple = { error: expect.any(String) };
/** A body the checkout would accept: were the request served, a checkout would be created. */
const VALID_CHECKOUT = JSON.stringify({
  priceId: 'price_sandbox_monthly',
  successUrl: 'http://localhost:5173/done',
  cancelUrl: 'http://localhost:5173/pricing',
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function dechunk(text: string): string {
  let body = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return body;
    body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** One request written byte for byte on its own connection; the answer, read until the server closes it. */
function rawExchange(port: number, head: string, body = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      // Interim answers (100 Continue) come first; the final one is the one that counts.
      const text = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/^(HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
      const [headText, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = headText.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const raw = rest.join('\r\n\r\n');
      const bodyText = /chunked/i.test(headers['transfer-encoding'] ?? '') ? dechunk(raw) : raw;
      let parsed: unknown = bodyText;
      try {
        parsed = JSON.parse(bodyText);
      } catch {
        // Not JSON: kept as text, for the assertion to show.
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: parsed });
    });
    // Written, not ended: Node drops a request still in progress when the client half-closes.
    // Every request here asks to close (or is HTTP/1.0), so the server ends the connection.
    socket.write(Buffer.from(head.replace(/\n/g, '\r\n') + body, 'utf8'));
  });
}

describe('Error shapes chosen by the route that answers', () => {
  let sut: TestApp;
  let account: TestAccount;
  let port: number;

  beforeAll(async () => {
    sut = await startTestApp({ PAYMENT_PROVIDER: 'sandbox' });
    await sut.app.listen(0, '127.0.0.1');
    port = Number(new URL(await sut.app.getUrl()).port);
    account = await createAccount(sut);
  });

  afterAll(() => sut.close());

  describe('a percent-encoded path', () => {
    it.each(['/api/%62illing/checkout', '/api/billing/%63heckout', '/%61pi/billing/checkout'])(
      'should answer %s, the billing checkout, with the envelope',
      async (path) => {
        const invalid = await sut.http().post(path).set('x-api-key', account.apiKey).send({});
        const anonymous = await sut.http().post(path).send({});

        expect({ status: invalid.status, body: invalid.body }).toEqual({
          status: 400,
          body: { success: false, error: { code: 'BAD_REQUEST', message: 'priceId is required' } },
        });
        expect({ status: anonymous.status, body: anonymous.body }).toEqual({
          status: 401,
          body: envelope('UNAUTHORIZED'),
        });
      },
    );

    it('should answer /api/subscriptions/%6De, a route outside /api/billing, with {error}', async () => {
      const response = await sut.http().get('/api/subscriptions/%6De');

      expect({ status: response.status, body: response.body }).toEqual({ status: 401, body: simple });
    });

    it.each([
      ['/api/%62illing/nothing-here', envelope('NOT_FOUND')],
      ['/api/billing/nothing-here', envelope('NOT_FOUND')],
      ['/api/%62illing/nothing-here/%zz', envelope('BAD_REQUEST')],
      ['/api/%62illing', envelope('NOT_FOUND')],
      ['/api/billing-other', simple],
      ['/api/subscriptions/nothing-here', simple],
    ])('should answer %s, which no route answers, in the shape of its decoded path', async (path, body) => {
      const response = await sut.http().get(path);

      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body).toEqual(body);
    });
  });

  describe('a request without a Host header (HTTP/1.1 requires one)', () => {
    it('should answer 400 in the envelope on /api/billing/checkout, and create nothing', async () => {
      const body = VALID_CHECKOUT;
      const answer = await rawExchange(
        port,
        `POST /api/billing/checkout HTTP/1.1\nx-api-key: ${account.apiKey}\n` +
          `content-type: application/json\ncontent-length: ${body.length}\nconnection: close\n\n`,
        body,
      );

      expect(answer).toMatchObject({
        status: 400,
        headers: { 'content-type': expect.stringContaining('application/json') },
        body: { success: false, error: { code: 'BAD_REQUEST', message: 'The Host header is required' } },
      });
      expect(await sut.db.rows(sql`SELECT id FROM checkout_sessions`)).toEqual([]);
    });

    it('should answer 400 {error} elsewhere', async () => {
      const answer = await rawExchange(port, 'GET /api/subscriptions/me HTTP/1.1\nconnection: close\n\n');

      expect(answer).toMatchObject({ status: 400, body: { error: 'The Host header is required' } });
    });

    it('should still serve HTTP/1.0, where Host is optional', async () => {
      const answer = await rawExchange(port, 'GET /health HTTP/1.0\n\n');

      expect(answer.status).toBe(200);
    });
  });

  describe('an Expect header other than 100-continue', () => {
    it('should answer 417 in the envelope on /api/billing/checkout, without running the handler', async () => {
      const body = VALID_CHECKOUT;
      const answer = await rawExchange(
        port,
        `POST /api/billing/checkout HTTP/1.1\nhost: localhost\nx-api-key: ${account.apiKey}\n` +
          `expect: 200-ok\ncontent-type: application/json\ncontent-length: ${body.length}\nconnection: close\n\n`,
        body,
      );

      expect(answer).toMatchObject({
        status: 417,
        headers: { 'content-type': expect.stringContaining('application/json'), connection: 'close' },
        body: {
          success: false,
          error: { code: 'BAD_REQUEST', message: 'Expect supports only 100-continue' },
        },
      });
      expect(await sut.db.rows(sql`SELECT id FROM checkout_sessions`)).toEqual([]);
    });

    it('should answer 417 {error} elsewhere', async () => {
      const answer = await rawExchange(
        port,
        'GET /api/subscriptions/me HTTP/1.1\nhost: localhost\nexpect: something\nconnection: close\n\n',
      );

      expect(answer).toMatchObject({ status: 417, body: { error: 'Expect supports only 100-continue' } });
    });

    it('should still serve Expect: 100-continue', async () => {
      const answer = await rawExchange(
        port,
        `GET /api/subscriptions/me HTTP/1.1\nhost: localhost\nx-api-key: ${account.apiKey}\n` +
          'expect: 100-continue\nconnection: close\n\n',
      );

      expect(answer).toMatchObject({ status: 200, body: { subscription: null } });
    });
  });

  describe('a method the path does not take', () => {
    it('should answer GET /api/billing/checkout with 405, Allow: POST, in the envelope', async () => {
      const response = await sut.http().get('/api/billing/checkout').set('x-api-key', account.apiKey);

      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.body).toEqual({
        success: false,
        error: {
          code: 'METHOD_NOT_ALLOWED',
          message: 'GET is not allowed here; this path accepts POST',
        },
      });
    });

    it('should answer the same however the path is spelled', async () => {
      const response = await sut.http().put('/api/%62illing/checkout?x=1');

      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.body).toEqual(envelope('METHOD_NOT_ALLOWED'));
    });

    it('should answer GET /api/subscriptions/sessions with 405 {error}, unauthenticated too', async () => {
      const response = await sut.http().get('/api/subscriptions/sessions');

      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.body).toEqual({ error: 'GET is not allowed here; this path accepts POST' });
    });

    it('should list every method the path takes: a GET route takes HEAD as well', async () => {
      const response = await sut.http().post('/api/subscriptions/me').send({});

      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(response.body).toEqual(simple);
    });

    it.each(['/api/billing/nothing-here', '/api/subscriptions/nothing-here', '/nothing-here'])(
      'should still answer %s, which no method reaches, with 404',
      async (path) => {
        const get = await sut.http().get(path);
        const post = await sut.http().post(path).send({});

        for (const response of [get, post]) {
          expect(response.status).toBe(404);
          expect(response.headers.allow).toBeUndefined();
        }
      },
    );
  });

  it('should not take the CORS preflight route, which answers every path, for a method the path takes', async () => {
    const withCors = await startTestApp({ CORS_ORIGINS: '*' }, { database: sut.database });
    try {
      const unknown = await withCors.http().get('/api/billing/nothing-here');
      const wrongMethod = await withCors.http().get('/api/billing/checkout');

      expect(unknown.status).toBe(404);
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.allow).toBe('POST');
    } finally {
      await withCors.app.close();
    }
  });
});
