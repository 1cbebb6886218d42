import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

/**
 * A Stripe-shaped HTTP server for tests and the benchmark: it answers the part of Stripe's API
 * the service uses, the way the real `stripe` SDK expects, records every request it receives,
 * replays idempotent requests, and can be told to misbehave.
 */

export type Fault =
  | { kind: 'status'; status: number; retryHeader?: boolean }
  | { kind: 'malformed' }
  | { kind: 'reset' }
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  idempotencyKey?: string;
  stripeVersion?: string;
  apiKey?: string;
  at: number;
}

interface FaultRule {
  fault: Fault;
  method?: string;
  path?: RegExp;
  remaining: number;
}

type StripeObject = Record<string, unknown> & { id: string };

export interface FakePrice {
  id: string;
  active?: boolean;
  type?: 'recurring' | 'one_time';
  unitAmount?: number;
  currency?: string;
  interval?: string;
  productName?: string;
  productActive?: boolean;
}

const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Stripe's form encoding (`a[b][0][c]=v`) back into nested objects and arrays. */
export function decodeStripeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const pairs = parseQuery(text);
  for (const [rawKey, rawValue] of Object.entries(pairs)) {
    const values = Array.isArray(rawValue) ? rawValue : [rawValue];
    const path = rawKey.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      if (last) {
        node[segment] = values.length === 1 ? values[0] : values;
        return;
      }
      const nextIsIndex = /^\d+$/.test(path[index + 1]);
      node[segment] ??= nextIsIndex ? [] : {};
      node = node[segment] as Record<string, unknown>;
    });
  }
  return root;
}

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  readonly customers = new Map<string, StripeObject>();
  readonly prices = new Map<string, StripeObject>();
  readonly sessions = new Map<string, StripeObject>();
  readonly portalSessions = new Map<string, StripeObject>();
  readonly subscriptions = new Map<string, StripeObject>();
  private readonly idempotent = new Map<string, { status: number; body: string }>();
  private readonly faults: FaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  /** Answers only requests made with one of these keys (when set). */
  acceptedKeys: Set<string> | null = null;
  /** Keep a record of every request (turn off in the benchmark). */
  recording = true;
  /** How many requests have arrived, recorded or not. */
  requestCount = 0;
  /** Milliseconds to wait before answering each request. */
  delayMs = 0;
  /**
   * How far this fake's clock is from the machine's, in milliseconds (negative: behind): its
   * `Date` header says so, as a real provider's clock would.
   */
  clockSkewMs = 0;
  /**
   * Let checkout and billing-portal sessions name customers this fake never created (the
   * benchmark seeds `cus_bench_…` ids straight into the database). Off: unknown ones get 404.
   */
  acceptUnknownCustomers = false;

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Makes the next `times` matching requests fail the given way. */
  injectFault(fault: Fault, options: { times?: number; method?: string; path?: RegExp } = {}): void {
    this.faults.push({ fault, method: options.method, path: options.path, remaining: options.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  addPrice(price: FakePrice): StripeObject {
    const productId = newId('prod');
    const object: StripeObject = {
      id: price.id,
      object: 'price',
      active: price.active ?? true,
      type: price.type ?? 'recurring',
      currency: price.currency ?? 'usd',
      unit_amount: price.unitAmount ?? 1500,
      recurring: (price.type ?? 'recurring') === 'recurring' ? { interval: price.interval ?? 'month' } : null,
      product: productId,
      livemode: false,
      _product: {
        id: productId,
        object: 'product',
        active: price.productActive ?? true,
        name: price.productName ?? 'Plan',
      },
    };
    this.prices.set(price.id, object);
    return object;
  }

  received(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        request.method === method &&
        (typeof path === 'string' ? request.path === path : path.test(request.path)),
    );
  }

  /**
   * What Stripe does when a person completes a checkout: a subscription (trialing when the
   * session asked for a trial) and the session marked complete. Returns both objects.
   */
  completeCheckout(sessionId: string, overrides: Record<string, unknown> = {}) {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    if (session.status !== 'open')
      throw new Error(`session ${sessionId} is ${String(session.status)}, not open`);
    const subscriptionData = (session._subscription_data ?? {}) as Record<string, unknown>;
    const lineItem = ((session._line_items as Array<Record<string, unknown>>) ?? [])[0] ?? {};
    const trialDays = Number(subscriptionData.trial_period_days ?? 0);
    const created = now();
    const trialEnd = trialDays > 0 ? created + trialDays * 86_400 : null;
    const subscription = this.putSubscription({
      customer: session.customer as string,
      status: trialEnd ? 'trialing' : 'active',
      priceId: String(lineItem.price),
      quantity: Number(lineItem.quantity ?? 1),
      trialEnd,
      currentPeriodEnd: trialEnd ?? created + 30 * 86_400,
      metadata: (subscriptionData.metadata ?? {}) as Record<string, string>,
      ...overrides,
    });
    Object.assign(session, { status: 'complete', subscription: subscription.id });
    return { session: this.publicObject(session), subscription };
  }

  /** Creates or replaces a subscription object (what `GET /v1/subscriptions/:id` returns). */
  putSubscription(input: {
    id?: string;
    customer: string;
    status: string;
    priceId: string;
    quantity?: number;
    trialEnd?: number | null;
    currentPeriodEnd?: number;
    cancelAtPeriodEnd?: boolean;
    metadata?: Record<string, string>;
  }): StripeObject {
    const id = input.id ?? newId('sub');
    const subscription: StripeObject = {
      id,
      object: 'subscription',
      customer: input.customer,
      status: input.status,
      cancel_at_period_end: input.cancelAtPeriodEnd ?? false,
      trial_end: input.trialEnd ?? null,
      metadata: input.metadata ?? {},
      created: now(),
      livemode: false,
      items: {
        object: 'list',
        data: [
          {
            id: newId('si'),
            object: 'subscription_item',
            quantity: input.quantity ?? 1,
            current_period_end: input.currentPeriodEnd ?? now() + 30 * 86_400,
            price: { id: input.priceId, object: 'price' },
          },
        ],
      },
    };
    this.subscriptions.set(id, subscription);
    return subscription;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requestCount++;
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://stripe.test');
    const method = request.method ?? 'GET';
    const body = decodeStripeForm(raw);
    const query = decodeStripeForm(url.search.slice(1));
    const idempotencyKey = header(request, 'idempotency-key');
    const apiKey = header(request, 'authorization')?.replace(/^Bearer /, '');
    if (this.recording) {
      this.requests.push({
        method,
        path: url.pathname,
        query,
        body,
        idempotencyKey,
        stripeVersion: header(request, 'stripe-version'),
        apiKey,
        at: Date.now(),
      });
    }

    const rule = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (!candidate.method || candidate.method === method) &&
        (!candidate.path || candidate.path.test(url.pathname)),
    );
    if (rule) {
      rule.remaining--;
      return this.misbehave(rule.fault, request, response);
    }

    if (this.acceptedKeys && (!apiKey || !this.acceptedKeys.has(apiKey))) {
      return send(response, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided' },
      });
    }

    const replayKey = idempotencyKey && method === 'POST' ? `${apiKey}:${idempotencyKey}` : undefined;
    const replay = replayKey ? this.idempotent.get(replayKey) : undefined;
    if (replay) {
      response.writeHead(replay.status, {
        'content-type': 'application/json',
        'idempotent-replayed': 'true',
      });
      response.end(replay.body);
      return;
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const [status, payload] = this.route(method, url.pathname, body, query);
    const text = JSON.stringify(payload);
    if (replayKey) this.idempotent.set(replayKey, { status, body: text });
    response.writeHead(status, {
      'content-type': 'application/json',
      'request-id': newId('req'),
      date: new Date(Date.now() + this.clockSkewMs).toUTCString(),
    });
    response.end(text);
  }

  private misbehave(fault: Fault, request: IncomingMessage, response: ServerResponse): void {
    switch (fault.kind) {
      case 'status':
        response.writeHead(fault.status, {
          'content-type': 'application/json',
          ...(fault.retryHeader === undefined ? {} : { 'stripe-should-retry': String(fault.retryHeader) }),
        });
        response.end(
          JSON.stringify({
            error: {
              type: fault.status === 429 ? 'rate_limit_error' : 'api_error',
              message: `Injected ${fault.status}`,
            },
          }),
        );
        return;
      case 'malformed':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"id": "cs_broken", "url": ');
        return;
      case 'reset':
        request.socket.destroy();
        return;
      case 'hang':
        // Never answers; the socket is destroyed when the server stops.
        return;
    }
  }

  private route(
    method: string,
    path: string,
    body: Record<string, unknown>,
    query: Record<string, unknown>,
  ): [number, unknown] {
    const segments = path.split('/').filter(Boolean);
    const [version, resource, id, action] = segments;
    if (version !== 'v1') return notFound('route', path);

    if (resource === 'customers' && method === 'POST' && !id) {
      const customer: StripeObject = {
        id: newId('cus'),
        object: 'customer',
        name: body.name ?? null,
        email: body.email ?? null,
        metadata: body.metadata ?? {},
        created: now(),
        livemode: false,
      };
      this.customers.set(customer.id, customer);
      return [200, customer];
    }
    if (resource === 'customers' && method === 'GET' && id) {
      const customer = this.customers.get(id);
      return customer ? [200, customer] : notFound('customer', id);
    }
    if (resource === 'prices' && method === 'GET' && id) {
      const price = this.prices.get(id);
      if (!price) return notFound('price', id);
      const expand = ([] as unknown[]).concat((query.expand as unknown[]) ?? []);
      const { _product, ...rest } = price;
      return [200, expand.includes('product') ? { ...rest, product: _product } : rest];
    }
    if (resource === 'checkout' && id === 'sessions') {
      return this.checkoutSessions(method, segments.slice(3), body);
    }
    if (resource === 'billing_portal' && id === 'sessions' && method === 'POST') {
      if (!this.knowsCustomer(body.customer)) return notFound('customer', String(body.customer));
      const session: StripeObject = {
        id: newId('bps'),
        object: 'billing_portal.session',
        customer: body.customer,
        return_url: body.return_url,
        url: `https://billing.stripe.test/p/session/${newId('test')}`,
        created: now(),
        livemode: false,
      };
      this.portalSessions.set(session.id, session);
      return [200, session];
    }
    if (resource === 'subscriptions' && method === 'GET' && id) {
      const subscription = this.subscriptions.get(id);
      return subscription ? [200, subscription] : notFound('subscription', id);
    }
    void action;
    return notFound('route', path);
  }

  private checkoutSessions(method: string, rest: string[], body: Record<string, unknown>): [number, unknown] {
    const [id, action] = rest;
    if (method === 'POST' && !id) {
      if (!this.knowsCustomer(body.customer)) return notFound('customer', String(body.customer));
      const lineItems = (body.line_items as Array<Record<string, unknown>>) ?? [];
      const price = this.prices.get(String(lineItems[0]?.price));
      if (!price) return notFound('price', String(lineItems[0]?.price));
      const sessionId = `cs_test_${randomBytes(16).toString('hex')}`;
      const session: StripeObject = {
        id: sessionId,
        object: 'checkout.session',
        mode: body.mode,
        customer: body.customer,
        client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {},
        success_url: body.success_url,
        cancel_url: body.cancel_url ?? null,
        expires_at: body.expires_at ? Number(body.expires_at) : now() + 86_400,
        status: 'open',
        subscription: null,
        url: `https://checkout.stripe.test/c/pay/${sessionId}`,
        livemode: false,
        created: now(),
        _line_items: lineItems,
        _subscription_data: body.subscription_data ?? null,
        _payment_intent_data: body.payment_intent_data ?? null,
      };
      this.sessions.set(sessionId, session);
      return [200, this.publicObject(session)];
    }
    const session = id ? this.sessions.get(id) : undefined;
    if (!session) return notFound('checkout.session', id ?? '');
    if (method === 'GET' && !action) return [200, this.publicObject(session)];
    if (method === 'POST' && action === 'expire') {
      // As Stripe: only an open session can be expired.
      if (session.status !== 'open') {
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`,
            },
          },
        ];
      }
      session.status = 'expired';
      return [200, this.publicObject(session)];
    }
    return notFound('route', rest.join('/'));
  }

  private knowsCustomer(customer: unknown): boolean {
    return (
      this.customers.has(String(customer)) || (this.acceptUnknownCustomers && typeof customer === 'string')
    );
  }

  /** The object without the fake's private fields (those starting with `_`). */
  publicObject(object: StripeObject): StripeObject {
    return Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith('_'))) as StripeObject;
  }
}

function notFound(kind: string, id: string): [number, unknown] {
  return [
    404,
    {
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such ${kind}: '${id}'`,
        param: 'id',
      },
    },
  ];
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(payload));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
