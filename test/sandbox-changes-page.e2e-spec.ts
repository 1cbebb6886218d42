import { DynamicModule, Module } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { configureApp } from '../src/app.setup';
import { CheckoutNotOpenError, NotFoundError } from '../src/common/errors/domain-errors';
import { AppConfigModule } from '../src/config/app-config.module';
import { loadConfig } from '../src/config/load-config';
import { DatabaseModule } from '../src/database/database.module';
import { loggerModule } from '../src/logging/logger.module';
import { HostedChanges, HostedChangeView } from '../src/payments/hosted-changes';
import { PaymentEventSink } from '../src/payments/payment-event-sink';
import { PaymentsModule } from '../src/payments/payments.module';
import { SAME_ORIGIN_REFERRER_POLICY } from '../src/payments/sandbox/same-origin-post.guard';
import { RateLimitModule } from '../src/rate-limit/rate-limit.module';
import { SandboxPagesModule } from '../src/payments/sandbox/sandbox-pages.module';
import { createTestDatabase, TestDatabase } from './support/database';

// The sandbox's change confirmation page, over a stand-in for the service's change checkouts
// (HostedChanges): what it shows of a change, where Confirm and Cancel send the person, and that
// it says so when a change can no longer be confirmed.

const PUBLIC_URL = 'http://billing.example.test:8080';

/** Change checkouts held in memory; `confirm` and `cancel` close them and answer their URLs. */
class StubHostedChanges extends HostedChanges {
  readonly views = new Map<string, HostedChangeView>();
  readonly calls: string[] = [];

  view(sessionId: string): Promise<HostedChangeView | null> {
    this.calls.push(`view ${sessionId}`);
    return Promise.resolve(this.views.get(sessionId) ?? null);
  }

  confirm(sessionId: string): Promise<{ redirectUrl: string }> {
    return this.close(sessionId, 'confirmed', 'https://app.example.com/billing/done');
  }

  cancel(sessionId: string): Promise<{ redirectUrl: string }> {
    return this.close(sessionId, 'canceled', 'https://app.example.com/billing');
  }

  private close(sessionId: string, status: string, redirectUrl: string) {
    this.calls.push(`${status} ${sessionId}`);
    const view = this.views.get(sessionId);
    if (!view) return Promise.reject(new NotFoundError('No such checkout'));
    if (view.status !== 'open') return Promise.reject(new CheckoutNotOpenError(view.status));
    this.views.set(sessionId, { ...view, status });
    return Promise.resolve({ redirectUrl });
  }
}

const at = (iso: string) => new Date(iso);

const upgrade = (sessionId: string): HostedChangeView => ({
  sessionId,
  status: 'open',
  type: 'plan_change',
  timing: 'immediate',
  from: { priceId: 'price_sandbox_monthly', quantity: 1 },
  to: { priceId: 'price_sandbox_yearly', quantity: 1 },
  effectiveAt: at('2031-03-11T12:00:00Z'),
  expiresAt: at('2031-03-11T12:30:00Z'),
  estimates: {
    currentInvoice: {
      amountDue: 14000,
      total: 14000,
      currency: 'usd',
      date: at('2031-03-11T12:00:00Z'),
      lines: [
        {
          description: 'Unused time on 1 × Pro plan (sandbox)',
          amount: -1000,
          quantity: 1,
          proration: true,
          period: { start: at('2031-03-11T12:00:00Z'), end: at('2031-03-31T12:00:00Z') },
        },
        {
          description: '1 × Pro plan, yearly (sandbox)',
          amount: 15000,
          quantity: 1,
          proration: false,
          period: { start: at('2031-03-11T12:00:00Z'), end: at('2032-03-10T12:00:00Z') },
        },
      ],
    },
    nextInvoice: {
      amountDue: 15000,
      total: 15000,
      currency: 'usd',
      date: at('2032-03-10T12:00:00Z'),
      lines: [],
    },
  },
  trial: { effect: 'none', endsAt: null },
});

describe('The sandbox change page', () => {
  let app: NestFastifyApplication;
  let database: TestDatabase;
  const changes = new StubHostedChanges();
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      PAYMENT_PROVIDER: 'sandbox',
      PUBLIC_URL,
      ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com',
    });
    @Module({})
    class StubChangesModule {}
    const changesModule: DynamicModule = {
      module: StubChangesModule,
      providers: [{ provide: HostedChanges, useValue: changes }],
      exports: [HostedChanges],
    };
    @Module({})
    class NoEventsModule {}
    const eventsModule: DynamicModule = {
      module: NoEventsModule,
      providers: [{ provide: PaymentEventSink, useValue: {} }],
      exports: [PaymentEventSink],
    };
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config),
        DatabaseModule,
        PaymentsModule.forProvider('sandbox'),
        // The module's test controls API is rate-limited per credential, as every API route.
        RateLimitModule,
        SandboxPagesModule.forRoot({ events: eventsModule, changes: changesModule }),
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      bufferLogs: true,
      bodyParser: false,
    });
    configureApp(app, config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  beforeEach(() => {
    changes.views.clear();
    changes.calls.length = 0;
  });

  /** The text of the element with the data-testid, tags and spacing flattened. */
  const field = (page: string, testId: string) => {
    const match = new RegExp(`data-testid="${testId}"[^>]*>([\\s\\S]*?)</dd>`).exec(page);
    return match
      ? match[1]
          .replace(/<[^>]+>/g, '')
          .replace(/\s+/g, ' ')
          .trim()
      : null;
  };

  it('should show an immediate change: from and to, when, the trial, what is due now and next', async () => {
    changes.views.set('chg_up', upgrade('chg_up'));

    const page = await http().get('/sandbox/change/chg_up').expect(200);

    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['referrer-policy']).toBe(SAME_ORIGIN_REFERRER_POLICY);
    expect(page.text).toContain('<title>Confirm your change · Sandbox</title>');
    expect(field(page.text, 'from')).toBe('Pro plan (sandbox), $15.00 per month × 1');
    expect(field(page.text, 'to')).toBe('Pro plan, yearly (sandbox), $150.00 per year × 1');
    expect(field(page.text, 'effective')).toBe('Now');
    expect(field(page.text, 'trial')).toBe('No trial');
    expect(field(page.text, 'due-now')).toBe('$140.00');
    expect(field(page.text, 'next-invoice')).toBe('$150.00 on March 10, 2032');
    expect(field(page.text, 'expires')).toBe('12:30 UTC on March 11, 2031');
    expect(page.text).toMatch(
      /<td>Unused time on 1 × Pro plan \(sandbox\)<\/td>\s*<td>March 11, 2031 to March 31, 2031<\/td>\s*<td>-\$10\.00<\/td>/,
    );
    expect(page.text).toMatch(
      /<td>1 × Pro plan, yearly \(sandbox\)<\/td>\s*<td>[^<]+<\/td>\s*<td>\$150\.00<\/td>/,
    );
    expect(page.text).toContain('<p data-testid="total">Total $140.00.</p>');
    expect(page.text).toContain('action="/sandbox/change/chg_up/confirm"');
    expect(page.text).toContain('action="/sandbox/change/chg_up/cancel"');
  });

  it('should show a change at period end, with a trial that goes on, and nothing due now', async () => {
    changes.views.set('chg_down', {
      ...upgrade('chg_down'),
      timing: 'period_end',
      from: { priceId: 'price_sandbox_monthly', quantity: 5 },
      to: { priceId: 'price_sandbox_monthly', quantity: 2 },
      effectiveAt: at('2031-03-31T12:00:00Z'),
      estimates: {
        currentInvoice: null,
        nextInvoice: {
          amountDue: 3000,
          total: 3000,
          currency: 'usd',
          date: at('2031-03-31T12:00:00Z'),
          lines: [],
        },
      },
      trial: { effect: 'kept', endsAt: at('2031-03-31T12:00:00Z') },
    });

    const page = await http().get('/sandbox/change/chg_down').expect(200);

    expect(field(page.text, 'from')).toBe('Pro plan (sandbox), $15.00 per month × 5');
    expect(field(page.text, 'to')).toBe('Pro plan (sandbox), $15.00 per month × 2');
    expect(field(page.text, 'effective')).toBe('At the end of the period, on March 31, 2031');
    expect(field(page.text, 'trial')).toBe(
      'Your trial goes on until March 31, 2031; the new terms are charged when it ends.',
    );
    expect(field(page.text, 'due-now')).toBe('$0.00');
    expect(field(page.text, 'next-invoice')).toBe('$30.00 on March 31, 2031');
    expect(page.text).not.toContain('<table');
  });

  it('should say a trial ends now when the change ends it', async () => {
    changes.views.set('chg_trial', { ...upgrade('chg_trial'), trial: { effect: 'ended', endsAt: null } });

    const page = await http().get('/sandbox/change/chg_trial').expect(200);

    expect(field(page.text, 'trial')).toBe('Your trial ends now.');
  });

  it('should confirm the change and send the person where the service says', async () => {
    changes.views.set('chg_up', upgrade('chg_up'));

    const confirmed = await http().post('/sandbox/change/chg_up/confirm').expect(303);

    expect(confirmed.headers.location).toBe('https://app.example.com/billing/done');
    expect(changes.calls).toEqual(['confirmed chg_up']);
  });

  it('should cancel the change and send the person where the service says', async () => {
    changes.views.set('chg_up', upgrade('chg_up'));

    const cancelled = await http().post('/sandbox/change/chg_up/cancel').expect(303);

    expect(cancelled.headers.location).toBe('https://app.example.com/billing');
    expect(changes.calls).toEqual(['canceled chg_up']);
  });

  it('should show a change that is no longer open as such, with nothing to press, and send a refused confirmation back to it', async () => {
    changes.views.set('chg_done', { ...upgrade('chg_done'), status: 'stale' });

    const page = await http().get('/sandbox/change/chg_done').expect(200);
    const again = await http().post('/sandbox/change/chg_done/confirm').expect(303);

    expect(page.text).toMatch(
      /<p class="notice" role="status">The subscription changed since this page was made; start again from the application\.<\/p>/,
    );
    expect(page.text).not.toContain('<button');
    expect(page.text).not.toContain('Due now');
    expect(again.headers.location).toBe('/sandbox/change/chg_done');
  });

  it('should answer 404 for a change it does not know, asking nothing for ids that cannot be one', async () => {
    await http().get('/sandbox/change/chg_unknown').expect(404);
    await http().post('/sandbox/change/chg_unknown/confirm').expect(404);
    await http().get('/sandbox/change/chg.unknown').expect(404);
    await http().get('/sandbox/change/chg%20%3Cscript%3E').expect(404);

    expect(changes.calls).toEqual(['view chg_unknown', 'confirmed chg_unknown']);
  });

  it('should refuse a confirmation posted from another site', async () => {
    changes.views.set('chg_up', upgrade('chg_up'));

    await http().post('/sandbox/change/chg_up/confirm').set('origin', 'https://evil.example').expect(403);
    await http().post('/sandbox/change/chg_up/confirm').set('sec-fetch-site', 'cross-site').expect(403);

    expect(changes.calls).toEqual([]);
    expect(changes.views.get('chg_up')?.status).toBe('open');
  });

  it('should escape whatever the change carries', async () => {
    const hostile = '<script>alert("x")</script>';
    const view = upgrade('chg_odd');
    changes.views.set('chg_odd', {
      ...view,
      to: { priceId: `price_${hostile}`, quantity: 1 },
      estimates: {
        ...view.estimates,
        currentInvoice: {
          ...view.estimates.currentInvoice!,
          lines: [{ ...view.estimates.currentInvoice!.lines[0], description: hostile }],
        },
      },
    });

    const page = await http().get('/sandbox/change/chg_odd').expect(200);
    const notOpen = { ...view, sessionId: 'chg_odd2', status: hostile };
    changes.views.set('chg_odd2', notOpen);
    const closed = await http().get('/sandbox/change/chg_odd2').expect(200);

    for (const text of [page.text, closed.text]) {
      expect(text).not.toContain('<script>');
      expect(text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    }
  });
});
