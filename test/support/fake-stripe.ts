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
  /** Invoices the fake made: for subscription updates (prorations) and renewals. */
  readonly invoices = new Map<string, StripeObject>();
  readonly schedules = new Map<string, StripeObject>();
  /** Customers whose payments fail (their cards are declined). */
  readonly failPayments = new Set<string>();
  /**
   * The prices the billing portal's configuration offers for subscription updates; null: all of
   * them. An empty set stands for a portal whose subscription updates are off.
   */
  portalPrices: Set<string> | null = null;
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
  /** Told of every request as it arrives, recorded or not (the benchmark counts some by path). */
  onRequest: ((method: string, path: string) => void) | null = null;
  /** Requests being answered now, and the most there ever were at once, by `METHOD /path`. */
  readonly inFlight = new Map<string, number>();
  readonly peakInFlight = new Map<string, number>();
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

  /** A customer, as `POST /v1/customers` makes one. */
  addCustomer(
    input: {
      id?: string;
      email?: string | null;
      name?: string | null;
      metadata?: Record<string, string>;
    } = {},
  ): StripeObject {
    const customer: StripeObject = {
      id: input.id ?? newId('cus'),
      object: 'customer',
      name: input.name ?? null,
      email: input.email ?? null,
      metadata: input.metadata ?? {},
      created: now(),
      livemode: false,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  /** Creates or replaces a subscription object (what `GET /v1/subscriptions/:id` returns). */
  putSubscription(input: {
    id?: string;
    customer: string;
    status: string;
    priceId: string;
    quantity?: number;
    trialEnd?: number | null;
    /** The item's period; by default from now for 30 days (to currentPeriodEnd when given). */
    currentPeriodStart?: number;
    currentPeriodEnd?: number;
    cancelAtPeriodEnd?: boolean;
    cancelAt?: number | null;
    itemId?: string;
    metadata?: Record<string, string>;
  }): StripeObject {
    const id = input.id ?? newId('sub');
    const periodStart = input.currentPeriodStart ?? now();
    const periodEnd = input.currentPeriodEnd ?? periodStart + 30 * 86_400;
    const subscription: StripeObject = {
      id,
      object: 'subscription',
      customer: input.customer,
      status: input.status,
      cancel_at_period_end: input.cancelAtPeriodEnd ?? false,
      // As Stripe: a subscription set to end with its period says when (cancel_at).
      cancel_at: input.cancelAt ?? (input.cancelAtPeriodEnd ? periodEnd : null),
      canceled_at: null,
      ended_at: null,
      trial_end: input.trialEnd ?? null,
      billing_cycle_anchor: periodStart,
      schedule: null,
      pending_update: null,
      latest_invoice: null,
      metadata: input.metadata ?? {},
      created: now(),
      livemode: false,
      items: {
        object: 'list',
        data: [
          {
            id: input.itemId ?? newId('si'),
            object: 'subscription_item',
            quantity: input.quantity ?? 1,
            current_period_start: periodStart,
            current_period_end: periodEnd,
            price: this.priceOf(input.priceId),
          },
        ],
      },
    };
    this.subscriptions.set(id, subscription);
    return subscription;
  }

  /**
   * What Stripe does when a subscription's period ends: a schedule's next phase takes effect (and
   * a schedule whose last phase ends lets go of the subscription), a subscription set to cancel
   * ends, or else the period rolls over with a renewal invoice. Returns the subscription then.
   */
  advanceToPeriodEnd(subscriptionId: string): StripeObject {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
    if (subscription.status === 'canceled') throw new Error(`subscription ${subscriptionId} is canceled`);
    const item = firstItem(subscription);
    const periodEnd = Number(item.current_period_end);
    const cancelAt = subscription.cancel_at as number | null;
    if (subscription.cancel_at_period_end === true || (cancelAt !== null && cancelAt <= periodEnd)) {
      this.endSubscription(subscription, cancelAt ?? periodEnd);
      return this.publicObject(subscription);
    }
    const schedule = subscription.schedule ? this.schedules.get(text(subscription.schedule)) : undefined;
    const phases = (schedule?.phases ?? []) as Array<Record<string, unknown>>;
    const next = phases.find((phase) => Number(phase.start_date) === periodEnd);
    if (schedule && next) {
      const [phaseItem] = next.items as Array<{ price: string; quantity: number }>;
      if (phaseItem.price !== (item.price as StripeObject).id) item.id = newId('si');
      item.price = this.priceOf(phaseItem.price);
      item.quantity = phaseItem.quantity;
      item.current_period_start = periodEnd;
      item.current_period_end = Number(next.end_date);
      schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
    } else {
      if (schedule) this.releaseScheduleObject(schedule);
      item.current_period_start = periodEnd;
      item.current_period_end = periodEndAfter(
        periodEnd,
        this.intervalOf(String((item.price as StripeObject).id)),
      );
    }
    if (subscription.status === 'trialing') subscription.status = 'active';
    const price = this.prices.get(String((item.price as StripeObject).id));
    const amount = Number(price?.unit_amount ?? 0) * Number(item.quantity);
    const lines = [
      this.line(subscription, {
        amount,
        quantity: Number(item.quantity),
        description: price
          ? fullPriceDescription(Number(item.quantity), this.productName(price.id), price)
          : 'Renewal',
        proration: false,
        start: periodEnd,
        end: Number(item.current_period_end),
      }),
    ];
    const failed = this.failPayments.has(String(subscription.customer)) && amount > 0;
    const invoice = this.storeInvoice(
      this.invoiceObject(subscription, lines, {
        preview: false,
        paid: !failed,
        reason: 'subscription_cycle',
      }),
    );
    subscription.latest_invoice = invoice.id;
    if (failed) subscription.status = 'past_due';
    return this.publicObject(subscription);
  }

  /** The person paid the open invoice of a pending update: Stripe applies the change it held. */
  applyPendingUpdate(subscriptionId: string): StripeObject {
    const subscription = this.subscriptions.get(subscriptionId);
    const pending = subscription?._pending as PendingChange | undefined;
    if (!subscription || !pending) throw new Error(`subscription ${subscriptionId} has no pending update`);
    const invoice = this.invoices.get(String(subscription.latest_invoice));
    if (invoice)
      Object.assign(invoice, { status: 'paid', amount_paid: invoice.amount_due, amount_remaining: 0 });
    this.applyChangeTo(subscription, pending);
    return this.publicObject(subscription);
  }

  /** A pending update's time ran out unpaid: Stripe drops it and voids its invoice. */
  expirePendingUpdate(subscriptionId: string): StripeObject {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription?._pending) throw new Error(`subscription ${subscriptionId} has no pending update`);
    const invoice = this.invoices.get(String(subscription.latest_invoice));
    if (invoice) invoice.status = 'void';
    subscription.pending_update = null;
    delete subscription._pending;
    return this.publicObject(subscription);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requestCount++;
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://stripe.test');
    const method = request.method ?? 'GET';
    const body = decodeStripeForm(raw);
    const query = decodeStripeForm(url.search.slice(1));
    this.onRequest?.(method, url.pathname);
    const key = `${method} ${url.pathname}`;
    const inFlight = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, inFlight);
    this.peakInFlight.set(key, Math.max(inFlight, this.peakInFlight.get(key) ?? 0));
    response.once('close', () => this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1));
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

    const replayKey =
      idempotencyKey && (method === 'POST' || method === 'DELETE')
        ? `${apiKey}:${idempotencyKey}`
        : undefined;
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
    if (resource === 'prices' && method === 'GET' && !id) return this.listPrices(query);
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
      const flow = (body.flow_data ?? null) as Record<string, unknown> | null;
      if (flow?.type === 'subscription_update_confirm') {
        const refusal = this.refuseUpdateConfirm(flow);
        if (refusal) return refusal;
      }
      const session: StripeObject = {
        id: newId('bps'),
        object: 'billing_portal.session',
        customer: body.customer,
        return_url: body.return_url,
        flow,
        url: `https://billing.stripe.test/p/session/${newId('test')}`,
        created: now(),
        livemode: false,
      };
      this.portalSessions.set(session.id, session);
      return [200, session];
    }
    if (resource === 'invoices' && id === 'create_preview' && method === 'POST') {
      return this.previewInvoice(body);
    }
    if (resource === 'invoices' && method === 'GET' && id) {
      const invoice = this.invoices.get(id);
      return invoice ? [200, invoice] : notFound('invoice', id);
    }
    if (resource === 'subscription_schedules') {
      return this.subscriptionSchedules(method, id, action, body);
    }
    if (resource === 'subscriptions' && !id && method === 'GET') return this.listSubscriptions(query);
    if (resource === 'subscriptions' && id && !action) {
      const subscription = this.subscriptions.get(id);
      if (!subscription) return notFound('subscription', id);
      if (method === 'GET') return [200, this.expanded(subscription, query.expand)];
      if (method === 'POST') return this.updateSubscription(subscription, body);
      if (method === 'DELETE') return this.cancelSubscription(subscription);
    }
    return notFound('route', path);
  }

  /**
   * GET /v1/prices: `active` filters on the price's own flag (as Stripe's does: a price of an
   * archived product is still listed), paged with `limit` and `starting_after`, in the order the
   * prices were added.
   */
  private listPrices(query: Record<string, unknown>): [number, unknown] {
    const limit = Math.min(100, Math.max(1, Number(query.limit ?? 10)));
    const expand = ([] as unknown[]).concat((query.expand as unknown[]) ?? []);
    const active = typeof query.active === 'string' ? query.active === 'true' : undefined;
    const prices = [...this.prices.values()].filter(
      (price) => active === undefined || price.active === active,
    );
    const after = typeof query.starting_after === 'string' ? query.starting_after : undefined;
    const start = after === undefined ? 0 : prices.findIndex((price) => price.id === after) + 1;
    const page = prices
      .slice(start, start + limit)
      .map(({ _product, ...rest }) =>
        expand.includes('data.product') ? { ...rest, product: _product } : rest,
      );
    return [200, { object: 'list', url: '/v1/prices', has_more: start + limit < prices.length, data: page }];
  }

  /**
   * GET /v1/subscriptions: as Stripe's, newest first, for one `customer` when given; without
   * `status` the canceled ones are left out, `status=all` lists every one; paged with `limit` and
   * `starting_after`.
   */
  private listSubscriptions(query: Record<string, unknown>): [number, unknown] {
    if (typeof query.customer === 'string' && !this.knowsCustomer(query.customer))
      return notFound('customer', query.customer);
    const limit = Math.min(100, Math.max(1, Number(query.limit ?? 10)));
    const status = typeof query.status === 'string' ? query.status : undefined;
    const subscriptions = [...this.subscriptions.values()]
      .filter((subscription) => query.customer === undefined || subscription.customer === query.customer)
      .filter((subscription) =>
        status === 'all'
          ? true
          : status === undefined
            ? subscription.status !== 'canceled'
            : subscription.status === status,
      )
      .reverse();
    const after = typeof query.starting_after === 'string' ? query.starting_after : undefined;
    const start =
      after === undefined ? 0 : subscriptions.findIndex((candidate) => candidate.id === after) + 1;
    const page = subscriptions
      .slice(start, start + limit)
      .map((subscription) => this.publicObject(subscription));
    return [
      200,
      {
        object: 'list',
        url: '/v1/subscriptions',
        has_more: start + limit < subscriptions.length,
        data: page,
      },
    ];
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

  /** `POST /v1/invoices/create_preview` for a change of a subscription's item (all the fake knows). */
  private previewInvoice(body: Record<string, unknown>): [number, unknown] {
    const subscription = this.subscriptions.get(String(body.subscription));
    if (!subscription) return notFound('subscription', String(body.subscription));
    if (body.customer !== undefined && body.customer !== subscription.customer) {
      return invalid('The subscription does not belong to this customer.', 'customer');
    }
    const details = (body.subscription_details ?? {}) as Record<string, unknown>;
    const change = this.computeChange(subscription, details);
    if ('error' in change) return change.error;
    return [200, this.invoiceObject(subscription, change.lines, { preview: true, paid: false })];
  }

  /** `POST /v1/subscriptions/:id`: items (with prorations), cancellation, metadata. */
  private updateSubscription(subscription: StripeObject, body: Record<string, unknown>): [number, unknown] {
    if (subscription.status === 'canceled') {
      return invalid('A canceled subscription can only update its cancellation_details and metadata.');
    }
    const setsCancelAt = body.cancel_at !== undefined;
    const setsPeriodEnd = body.cancel_at_period_end !== undefined;
    if (setsCancelAt && setsPeriodEnd) {
      return invalid('You may only specify one of these parameters: cancel_at, cancel_at_period_end.');
    }
    if ((setsCancelAt || setsPeriodEnd) && subscription.schedule) {
      return invalid(
        `The subscription is managed by the subscription schedule \`${text(subscription.schedule)}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
      );
    }
    let change: ComputedChange | undefined;
    if (body.items !== undefined) {
      const computed = this.computeChange(subscription, body);
      if ('error' in computed) return computed.error;
      change = computed;
    }
    const periodEnd = Number(firstItem(subscription).current_period_end);
    if (setsPeriodEnd) {
      const atPeriodEnd = body.cancel_at_period_end === 'true';
      subscription.cancel_at_period_end = atPeriodEnd;
      subscription.cancel_at = atPeriodEnd ? periodEnd : null;
      subscription.canceled_at = atPeriodEnd ? now() : null;
    }
    if (setsCancelAt) {
      const cancelAt = body.cancel_at === '' ? null : Number(body.cancel_at);
      subscription.cancel_at = cancelAt;
      subscription.cancel_at_period_end = false;
      subscription.canceled_at = cancelAt === null ? null : now();
    }
    if (body.metadata) {
      subscription.metadata = { ...(subscription.metadata as object), ...body.metadata };
    }
    if (change) {
      const charged = change.invoiced && change.amountDue > 0;
      const declined = charged && this.failPayments.has(String(subscription.customer));
      if (declined && body.payment_behavior === 'error_if_incomplete') {
        return [
          402,
          { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } },
        ];
      }
      if (change.invoiced) {
        const invoice = this.storeInvoice(
          this.invoiceObject(subscription, change.lines, { preview: false, paid: !declined }),
        );
        subscription.latest_invoice = invoice.id;
      }
      if (declined && body.payment_behavior === 'pending_if_incomplete') {
        // As Stripe: the old items stay; the change waits for its invoice to be paid.
        subscription._pending = change;
        subscription.pending_update = {
          expires_at: now() + 23 * 3600,
          subscription_items: [
            { ...firstItem(subscription), ...change.item, price: this.priceOf(change.item.price) },
          ],
          trial_end: change.trialEnd !== subscription.trial_end ? change.trialEnd : null,
          trial_from_plan: null,
          billing_cycle_anchor: null,
        };
      } else {
        this.applyChangeTo(subscription, change);
        if (declined) subscription.status = 'past_due';
      }
    }
    return [200, this.expanded(subscription, body.expand)];
  }

  /** `DELETE /v1/subscriptions/:id`: ends it now (and the schedule that controlled it). */
  private cancelSubscription(subscription: StripeObject): [number, unknown] {
    if (subscription.status === 'canceled') {
      return invalid(`This subscription has already been canceled: '${subscription.id}'`);
    }
    this.endSubscription(subscription, now());
    return [200, this.publicObject(subscription)];
  }

  private endSubscription(subscription: StripeObject, at: number): void {
    const schedule = subscription.schedule ? this.schedules.get(text(subscription.schedule)) : undefined;
    if (schedule) Object.assign(schedule, { status: 'canceled', canceled_at: at });
    Object.assign(subscription, {
      status: 'canceled',
      canceled_at: subscription.canceled_at ?? at,
      ended_at: at,
      pending_update: null,
    });
    delete subscription._pending;
  }

  private subscriptionSchedules(
    method: string,
    id: string | undefined,
    action: string | undefined,
    body: Record<string, unknown>,
  ): [number, unknown] {
    if (method === 'POST' && !id) return this.createSchedule(body);
    const schedule = id ? this.schedules.get(id) : undefined;
    if (!schedule) return notFound('subscription_schedule', id ?? '');
    if (method === 'GET' && !action) return [200, schedule];
    if (method !== 'POST') return notFound('route', `subscription_schedules/${id}`);
    const live = schedule.status === 'active' || schedule.status === 'not_started';
    if (action === 'release') {
      if (!live) {
        return invalid(
          `You cannot release a subscription schedule that is currently in the \`${String(schedule.status)}\` status. It must be in one of the following statuses: \`not_started\`, \`active\`.`,
        );
      }
      this.releaseScheduleObject(schedule);
      return [200, schedule];
    }
    if (action) return notFound('route', `subscription_schedules/${id}/${action}`);
    if (!live) {
      return invalid(
        `You cannot update a subscription schedule that is currently in the \`${String(schedule.status)}\` status.`,
      );
    }
    return this.updateSchedule(schedule, body);
  }

  /** `POST /v1/subscription_schedules` from a subscription: one phase, its current period. */
  private createSchedule(body: Record<string, unknown>): [number, unknown] {
    if (body.from_subscription === undefined) {
      return invalid(
        'This fake makes schedules from subscriptions only (from_subscription).',
        'from_subscription',
      );
    }
    const other = Object.keys(body).find((key) => key !== 'from_subscription' && key !== 'metadata');
    if (other) return invalid(`You cannot set \`${other}\` if \`from_subscription\` is set.`, other);
    const subscription = this.subscriptions.get(text(body.from_subscription));
    if (!subscription) return notFound('subscription', text(body.from_subscription));
    if (subscription.schedule) {
      return invalid(
        `You cannot migrate a subscription that is already attached to a schedule: \`${text(subscription.schedule)}\`.`,
        'from_subscription',
      );
    }
    if (subscription.status === 'canceled') return invalid('You cannot migrate a canceled subscription.');
    const item = firstItem(subscription);
    const start = Number(item.current_period_start);
    const end = Number(item.current_period_end);
    const schedule: StripeObject = {
      id: newId('sub_sched'),
      object: 'subscription_schedule',
      customer: subscription.customer,
      subscription: subscription.id,
      status: 'active',
      end_behavior: 'release',
      metadata: body.metadata ?? {},
      current_phase: { start_date: start, end_date: end },
      phases: [
        {
          start_date: start,
          end_date: end,
          items: [{ price: (item.price as StripeObject).id, quantity: Number(item.quantity) }],
          proration_behavior: 'create_prorations',
          trial_end: subscription.trial_end ?? null,
        },
      ],
      released_at: null,
      released_subscription: null,
      canceled_at: null,
      completed_at: null,
      created: now(),
      livemode: false,
    };
    this.schedules.set(schedule.id, schedule);
    subscription.schedule = schedule.id;
    return [200, schedule];
  }

  /** `POST /v1/subscription_schedules/:id`: new phases (the current one first), metadata, end. */
  private updateSchedule(schedule: StripeObject, body: Record<string, unknown>): [number, unknown] {
    const input = body.phases as Array<Record<string, unknown>> | undefined;
    if (input !== undefined) {
      const withIterations = input.findIndex((phase) => phase.iterations !== undefined);
      if (withIterations >= 0) {
        const param = `phases[${withIterations}][iterations]`;
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              code: 'parameter_unknown',
              param,
              message: `Received unknown parameter: ${param}`,
            },
          },
        ];
      }
      const current = schedule.current_phase as { start_date: number; end_date: number };
      const phases: Array<Record<string, unknown>> = [];
      let start = current.start_date;
      for (const [index, phase] of input.entries()) {
        if (
          index === 0 &&
          phase.start_date !== undefined &&
          Number(phase.start_date) !== current.start_date
        ) {
          return invalid('You can not modify the start date of the current phase.', 'phases[0][start_date]');
        }
        const items = ((phase.items ?? []) as Array<Record<string, unknown>>).map((item) => ({
          price: String(item.price),
          quantity: Number(item.quantity ?? 1),
        }));
        if (items.length !== 1)
          return invalid('This fake schedules single-item phases only.', `phases[${index}][items]`);
        if (!this.prices.has(items[0].price)) return notFound('price', items[0].price);
        const last = index === input.length - 1;
        if (!last && phase.end_date === undefined) {
          return invalid('Every phase but the last needs an end_date.', `phases[${index}][end_date]`);
        }
        const end =
          phase.end_date !== undefined
            ? Number(phase.end_date)
            : periodEndAfter(start, this.intervalOf(items[0].price));
        if (end <= start) return invalid('A phase must end after it starts.', `phases[${index}][end_date]`);
        phases.push({
          start_date: start,
          end_date: end,
          items,
          proration_behavior: phase.proration_behavior ?? body.proration_behavior ?? 'create_prorations',
          trial_end: null,
        });
        start = end;
      }
      schedule.phases = phases;
      schedule.current_phase = { start_date: phases[0].start_date, end_date: phases[0].end_date };
    }
    if (body.metadata) schedule.metadata = { ...(schedule.metadata as object), ...body.metadata };
    if (body.end_behavior) schedule.end_behavior = body.end_behavior;
    return [200, schedule];
  }

  private releaseScheduleObject(schedule: StripeObject): void {
    const subscription = this.subscriptions.get(String(schedule.subscription));
    if (subscription) subscription.schedule = null;
    Object.assign(schedule, {
      status: 'released',
      released_at: now(),
      released_subscription: schedule.subscription,
      subscription: null,
      current_phase: null,
    });
  }

  /** A `subscription_update_confirm` deep link the portal would refuse, as Stripe says it. */
  private refuseUpdateConfirm(flow: Record<string, unknown>): [number, unknown] | null {
    const confirm = (flow.subscription_update_confirm ?? {}) as Record<string, unknown>;
    const subscription = this.subscriptions.get(String(confirm.subscription));
    if (!subscription) return notFound('subscription', String(confirm.subscription));
    const items = (confirm.items ?? []) as Array<Record<string, unknown>>;
    if (items.length !== 1) {
      return invalid(
        'Only one item can be updated with `subscription_update_confirm`.',
        'flow_data[subscription_update_confirm][items]',
      );
    }
    if (this.portalPrices?.size === 0) {
      return invalid(
        'The subscription update feature in the portal configuration is disabled. You can enable it in the portal settings.',
      );
    }
    const price = text(items[0].price ?? (firstItem(subscription).price as StripeObject).id);
    if (this.portalPrices && !this.portalPrices.has(price)) {
      return invalid(
        `The price \`${price}\` is not part of the products in the portal configuration's \`features.subscription_update.products\`.`,
        'flow_data[subscription_update_confirm][items][0][price]',
      );
    }
    return null;
  }

  /**
   * What changing the subscription's item to `params.items[0]` costs, the way Stripe prorates:
   * by the second from `proration_date` (default now) to the period's end. Same interval: a credit
   * for the old terms' unused time and a charge for the new terms' remaining time. A new interval:
   * the credit and the full new price, and the period restarts. In a trial that is kept: lines of
   * zero. A trial ended (`trial_end=now`): the full new price, and the period restarts.
   */
  private computeChange(
    subscription: StripeObject,
    params: Record<string, unknown>,
  ): ComputedChange | { error: [number, unknown] } {
    const fail = (message: string, param?: string) => ({ error: invalid(message, param) });
    if (params.proration_date !== undefined && params.billing_cycle_anchor === 'now') {
      return fail('You cannot specify `proration_date` when `billing_cycle_anchor=now`.', 'proration_date');
    }
    const behavior = text(params.proration_behavior ?? 'create_prorations');
    if (params.proration_date !== undefined && behavior === 'none') {
      return fail('You cannot specify `proration_date` when `proration_behavior=none`.', 'proration_date');
    }
    const item = firstItem(subscription);
    const items = (params.items ?? []) as Array<Record<string, unknown>>;
    if (items.length !== 1 || items[0].id !== item.id) {
      return fail("This fake changes the subscription's one item only (items[0][id]).", 'items');
    }
    const oldPrice = this.prices.get(String((item.price as StripeObject).id));
    const newPriceId = text(items[0].price ?? (item.price as StripeObject).id);
    const newPrice = this.prices.get(newPriceId);
    if (!oldPrice) return { error: notFound('price', String((item.price as StripeObject).id)) };
    if (!newPrice) return { error: notFound('price', newPriceId) };
    const oldQuantity = Number(item.quantity);
    const quantity = items[0].quantity === undefined ? oldQuantity : Number(items[0].quantity);
    if (!Number.isInteger(quantity) || quantity < 1) return fail('Invalid quantity.', 'items[0][quantity]');
    const start = Number(item.current_period_start);
    const end = Number(item.current_period_end);
    const at = params.proration_date === undefined ? now() : Number(params.proration_date);
    if (!Number.isInteger(at) || at < start || at > end) {
      return fail('The proration_date must be within the current billing period.', 'proration_date');
    }
    const currency = String(newPrice.currency);
    const newInterval = this.intervalOf(newPriceId);
    const trialing = subscription.status === 'trialing' && Number(subscription.trial_end ?? 0) > at;
    const keeps: ComputedChange = {
      lines: [],
      total: 0,
      amountDue: 0,
      currency,
      invoiced: behavior === 'always_invoice',
      item: { price: newPriceId, quantity, current_period_start: start, current_period_end: end },
      trialEnd: (subscription.trial_end as number | null) ?? null,
      status: String(subscription.status),
    };
    const line = (input: Omit<LineInput, 'subscriptionItem'>) =>
      this.line(subscription, { ...input, subscriptionItem: String(item.id), currency });
    const oldName = this.productName(String(oldPrice.id));
    const newName = this.productName(newPriceId);
    const after = `after ${stripeDate(at)}`;
    const remaining = (amount: number, count: number) =>
      roundCents((amount * count * (end - at)) / (end - start));

    if (params.trial_end === 'now' && trialing) {
      const newEnd = periodEndAfter(at, newInterval);
      const lines = [
        line({
          amount: Number(newPrice.unit_amount) * quantity,
          quantity,
          description: fullPriceDescription(quantity, newName, newPrice),
          proration: false,
          start: at,
          end: newEnd,
        }),
      ];
      return withTotals({
        ...keeps,
        lines,
        invoiced: true,
        item: { ...keeps.item, current_period_start: at, current_period_end: newEnd },
        trialEnd: at,
        status: 'active',
      });
    }
    const trialEnd =
      params.trial_end !== undefined && params.trial_end !== 'now' ? Number(params.trial_end) : null;
    if (trialing || (trialEnd !== null && trialEnd > at)) {
      // A trial that goes on: nothing is owed for it, whatever the terms.
      const until = trialEnd ?? Number(subscription.trial_end);
      const lines = [
        line({
          amount: 0,
          quantity: oldQuantity,
          description: `Unused time on ${oldQuantity} × ${oldName} ${after}`,
          proration: true,
          start: at,
          end,
        }),
        line({
          amount: 0,
          quantity,
          description: `Remaining time on ${quantity} × ${newName} ${after}`,
          proration: true,
          start: at,
          end: until,
        }),
      ];
      return withTotals({
        ...keeps,
        lines: behavior === 'none' ? [] : lines,
        item: { ...keeps.item, current_period_end: until },
        trialEnd: until,
        status: 'trialing',
      });
    }
    const credit = line({
      amount: -remaining(Number(oldPrice.unit_amount), oldQuantity),
      quantity: oldQuantity,
      description: `Unused time on ${oldQuantity} × ${oldName} ${after}`,
      proration: true,
      start: at,
      end,
    });
    const oldInterval = this.intervalOf(String(oldPrice.id));
    if (oldInterval === newInterval) {
      const charge = line({
        amount: remaining(Number(newPrice.unit_amount), quantity),
        quantity,
        description: `Remaining time on ${quantity} × ${newName} ${after}`,
        proration: true,
        start: at,
        end,
      });
      return withTotals({ ...keeps, lines: behavior === 'none' ? [] : [credit, charge] });
    }
    // A new interval restarts the billing period at the change and charges it now, whatever the
    // proration behavior (which decides only the credit for the old terms).
    const newEnd = periodEndAfter(at, newInterval);
    const full = line({
      amount: Number(newPrice.unit_amount) * quantity,
      quantity,
      description: fullPriceDescription(quantity, newName, newPrice),
      proration: false,
      start: at,
      end: newEnd,
    });
    return withTotals({
      ...keeps,
      lines: behavior === 'none' ? [full] : [credit, full],
      invoiced: true,
      item: { ...keeps.item, current_period_start: at, current_period_end: newEnd },
    });
  }

  private applyChangeTo(subscription: StripeObject, change: ComputedChange): void {
    const item = firstItem(subscription);
    Object.assign(item, {
      price: this.priceOf(change.item.price),
      quantity: change.item.quantity,
      current_period_start: change.item.current_period_start,
      current_period_end: change.item.current_period_end,
    });
    subscription.trial_end = change.trialEnd;
    subscription.status = change.status;
    subscription.pending_update = null;
    delete subscription._pending;
    if (subscription.cancel_at_period_end === true) subscription.cancel_at = change.item.current_period_end;
  }

  private line(subscription: StripeObject, input: LineInput & { currency?: string }): StripeObject {
    return {
      id: newId('il'),
      object: 'line_item',
      amount: input.amount,
      currency: input.currency ?? 'usd',
      description: input.description,
      quantity: input.quantity,
      period: { start: input.start, end: input.end },
      parent: {
        type: 'subscription_item_details',
        subscription_item_details: {
          subscription: subscription.id,
          subscription_item: input.subscriptionItem ?? firstItem(subscription).id,
          proration: input.proration,
          proration_details: { credited_items: null },
          invoice_item: null,
        },
      },
      livemode: false,
    };
  }

  private invoiceObject(
    subscription: StripeObject,
    lines: StripeObject[],
    options: { preview: boolean; paid: boolean; reason?: string },
  ): StripeObject {
    const id = options.preview ? `upcoming_in_${randomBytes(12).toString('hex')}` : newId('in');
    const total = lines.reduce((sum, line) => sum + Number(line.amount), 0);
    const amountDue = Math.max(0, total);
    const periods = lines.map((line) => line.period as { start: number; end: number });
    return {
      id,
      object: 'invoice',
      customer: subscription.customer,
      currency: text(lines[0]?.currency ?? 'usd'),
      status: options.preview ? 'draft' : options.paid ? 'paid' : 'open',
      billing_reason: options.reason ?? 'subscription_update',
      collection_method: 'charge_automatically',
      amount_due: amountDue,
      amount_paid: options.paid ? amountDue : 0,
      amount_remaining: options.paid ? 0 : amountDue,
      subtotal: total,
      total,
      created: now(),
      period_start: Math.min(...periods.map((period) => period.start), now()),
      period_end: Math.max(...periods.map((period) => period.end), now()),
      hosted_invoice_url: options.preview ? null : `https://invoice.stripe.test/i/${id}`,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { subscription: subscription.id, metadata: {} },
      },
      lines: {
        object: 'list',
        data: lines,
        has_more: false,
        total_count: lines.length,
        url: `/v1/invoices/${id}/lines`,
      },
      livemode: false,
    };
  }

  private storeInvoice(invoice: StripeObject): StripeObject {
    this.invoices.set(invoice.id, invoice);
    return invoice;
  }

  /** The subscription as Stripe answers it, with `latest_invoice` expanded when asked. */
  private expanded(subscription: StripeObject, expand: unknown): StripeObject {
    const fields = ([] as unknown[]).concat(expand ?? []);
    const object = this.publicObject(subscription);
    if (fields.includes('latest_invoice') && typeof object.latest_invoice === 'string') {
      object.latest_invoice = this.invoices.get(object.latest_invoice) ?? object.latest_invoice;
    }
    return object;
  }

  /** A price as subscription items carry it (the whole object when the fake knows it). */
  private priceOf(priceId: string): StripeObject {
    const price = this.prices.get(priceId);
    return price ? this.publicObject(price) : { id: priceId, object: 'price' };
  }

  private intervalOf(priceId: string): string {
    const recurring = this.prices.get(priceId)?.recurring as { interval?: string } | null | undefined;
    return recurring?.interval ?? 'month';
  }

  private productName(priceId: string): string {
    const product = this.prices.get(priceId)?._product as { name?: string } | undefined;
    return product?.name ?? 'Plan';
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

interface LineInput {
  amount: number;
  quantity: number;
  description: string;
  proration: boolean;
  start: number;
  end: number;
  subscriptionItem?: string;
}

/** A change as computed for a subscription: its invoice lines and the item it leads to. */
interface ComputedChange {
  lines: StripeObject[];
  total: number;
  amountDue: number;
  currency: string;
  /** Whether the change is invoiced now (always_invoice, a new interval, a trial ended). */
  invoiced: boolean;
  item: { price: string; quantity: number; current_period_start: number; current_period_end: number };
  trialEnd: number | null;
  status: string;
}

type PendingChange = ComputedChange;

function withTotals(change: ComputedChange): ComputedChange {
  const total = change.lines.reduce((sum, line) => sum + Number(line.amount), 0);
  return { ...change, total, amountDue: Math.max(0, total) };
}

function firstItem(subscription: StripeObject): StripeObject {
  return (subscription.items as { data: StripeObject[] }).data[0];
}

/** Whole cents, halves away from zero. */
function roundCents(amount: number): number {
  return Math.sign(amount) * Math.round(Math.abs(amount));
}

/** The end of one billing period starting at `start` (calendar months and years, as Stripe). */
export function periodEndAfter(start: number, interval: string): number {
  const date = new Date(start * 1000);
  if (interval === 'year') date.setUTCFullYear(date.getUTCFullYear() + 1);
  else if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7);
  else if (interval === 'day') date.setUTCDate(date.getUTCDate() + 1);
  else date.setUTCMonth(date.getUTCMonth() + 1);
  return Math.floor(date.getTime() / 1000);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date the way Stripe writes it in proration descriptions: `10 Jan 2026`. */
function stripeDate(seconds: number): string {
  const date = new Date(seconds * 1000);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

function money(amount: number, currency: string): string {
  const value = (amount / 100).toFixed(2);
  return currency === 'usd' ? `$${value}` : `${value} ${currency.toUpperCase()}`;
}

function fullPriceDescription(quantity: number, product: string, price: StripeObject): string {
  const interval = (price.recurring as { interval?: string } | null)?.interval ?? 'month';
  return `${quantity} × ${product} (at ${money(Number(price.unit_amount), String(price.currency))} / ${interval})`;
}

/** A form value as the text it was sent as (objects have none). */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function invalid(message: string, param?: string): [number, unknown] {
  return [400, { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } }];
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
