/**
 * `npm run bench`: the service against two baselines, a glue server and a bare node:http one.
 *
 * On 127.0.0.1 it starts a Stripe-shaped upstream that answers at once and counts requests
 * (upstream.ts), the service as production runs it (`node dist/main.js`) on PostgreSQL
 * (BENCH_DATABASE_URL, default the machine's `test` database, in a fresh schema) or SQLite, the
 * glue baseline (glue.ts: what a team would write instead of the service, node:http + pg + the
 * stripe SDK on the service's schema and seeded rows; PostgreSQL only) and the bare baseline
 * (baseline.ts: no database at all). autocannon drives the three in turn, with the same
 * connections and duration; the figures are printed as a table and written to
 * bench/results/latest.json.
 *
 *   --smoke            ≈1 s phases, one round: a check that the benchmark still works (CI)
 *   --duration <s>     seconds per phase (default 5)
 *   --connections <n>  concurrent connections (default 16)
 *   --rounds <n>       rounds; in each, service, glue and baseline take turns per endpoint (default 2)
 *   --profile          run the service with --cpu-prof; the profile lands in bench/results/
 *
 * Reported per endpoint and side: the BEST round (highest 2xx req/s) with that round's
 * latencies. Other work on the machine only ever slows a round down, so the best round is the
 * closest to what the code itself can do. Every round is kept in the JSON.
 *
 * CPU time per request, for every phase: utime + stime of the process under load and of all
 * PostgreSQL processes (`comm` = postgres) from /proc, read before the phase and after its settle
 * pause, divided by the requests sent. PostgreSQL's figure includes whatever else the server did
 * meanwhile; the bare baseline's phases, which touch no database, show that floor.
 *
 * Checkouts (sessions, billing checkout) get a fresh returning-customer account per request, on
 * the service and on the glue alike; the portal cycles through a few accounts, and
 * GET /api/subscriptions/me through accounts seeded with an active subscription. The bare
 * baseline takes its one static key for all of them, and answers `me` with one fixed subscription.
 *
 * Subscription changes are measured on the service alone (the baseline has no subscriptions), on
 * accounts seeded with a subscription in the database and in the upstream: previews (a timed
 * phase, cycling through a set of subscriptions: a preview changes nothing), and confirms (each
 * round confirms change checkouts prepared through the API beforehand, one per subscription, and
 * checks that every answer is 200 and that the upstream saw exactly one update per change).
 *
 * The latency phase, after the rounds: the upstream answers every request after 250 ms, and 200
 * connections drive POST /api/subscriptions/sessions (a fresh account per request) and the portal
 * on the service and on the glue, one phase of --duration each (≈1 s with --smoke) after a
 * one-request-per-connection warm-up; reported: p50 and p99 of each, the service's p50 (and p99)
 * minus the glue's, and the errors.
 *
 * The steps, in order: build; start the upstream and the baselines; create and migrate the
 * database; time three fresh starts of the service; count database round trips per request with
 * a separate instance behind a counting proxy (PostgreSQL); warm up; the measured rounds; read the
 * service's memory; the latency phase; report.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  freePort,
  HelperProcess,
  killAllNow,
  ROOT,
  ServiceProcess,
  startHelper,
  startService,
  stopAll,
} from './children';
import { postgresPoolConfig } from '../src/database/data-source';
import { clockTicksPerSecond, CpuSpent, startCpuMeter } from './cpu';
import {
  BenchAccount,
  BenchDatabase,
  analyze,
  BenchSubscriber,
  countWebhookEvents,
  DEFAULT_DATABASE_URL,
  openBenchDatabase,
  seedAccounts,
  seedSubscribers,
} from './database';
import {
  AccountPool,
  confirmRequest,
  jsonHeaders,
  prepareChanges,
  PREVIEW_PATH,
  previewRequest,
  seedChangeSubscribers,
  WebhookEvents,
} from './fixtures';
import { LoadResult, NextRequest, runLoad } from './load';
import { PgRoundTripCounter } from './pg-roundtrips';
import {
  ChangeFigures,
  ConfirmCheck,
  evaluateTargets,
  formatResults,
  LatencyFigures,
  Results,
  SideFigures,
  WebhookFigures,
} from './report';
import {
  APP_ORIGIN,
  BASELINE_API_KEY,
  confirmPath,
  ENDPOINTS,
  EndpointKey,
  STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET,
  SUBSCRIPTION_PRICE_ID,
  TRIAL_DAYS,
} from './shared';

type Endpoint = (typeof ENDPOINTS)[number];
/** The servers driven with the seeded accounts: the service and the glue baseline. */
type Target = 'service' | 'glue';
/** The endpoints that get a fresh account per request (each request leaves an open checkout). */
type PooledKey = Exclude<EndpointKey, 'portal' | 'me'>;
const isPooled = (key: EndpointKey): key is PooledKey => key === 'sessions' || key === 'checkout';
type ChangeKey = 'preview' | 'confirm';
type MeasuredKey = EndpointKey | ChangeKey | 'webhooks';

const CHANGE_LABELS: Record<ChangeKey, string> = {
  preview: `POST ${PREVIEW_PATH} (change preview)`,
  confirm: `POST ${confirmPath('{sessionId}')}`,
};

const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** Pause after each phase, so that requests still in flight when autocannon stopped can land. */
const SETTLE_MS = 200;
/** Accounts the portal phases cycle through (portal sessions are never reused). */
const PORTAL_ACCOUNTS = 64;
/** Accounts with a subscription that the GET /api/subscriptions/me phases cycle through. */
const ME_SUBSCRIBERS = { full: 256, smoke: 16 };
/** Provider customers the webhook events are about (one subscription each). */
const WEBHOOK_CUSTOMERS = 256;
/** The lowest rate (requests/s) that account pools and webhook events are sized for. */
const FLOOR_RATE_PER_S = 1_500;
/** Requests of the round-trip phase sent before counting starts (pool connection, caches). */
const ROUND_TRIP_WARM_REQUESTS = 3;
/** Subscriptions the preview phases cycle through (a preview changes nothing). */
const PREVIEW_SUBSCRIPTIONS = 256;
/**
 * Change checkouts confirmed per round: as many as the best confirm rate so far gets through in
 * a phase's duration, within these bounds (each one is prepared through the API first).
 */
const CONFIRMS_PER_ROUND = { min: 100, max: 5_000, smokeMax: 200 };
/** Confirmed in the warm-up, to learn the rate. */
const CONFIRM_WARMUP = { full: 200, smoke: 32 };
/** A confirm phase ends on its count; this only bounds one that hangs. */
const CONFIRM_PHASE_LIMIT_S = 120;
/**
 * The latency phase: a provider that answers after `delayMs`, and many callers at once waiting
 * on it, on the service and on the glue. Phases last --duration (≈1 s with --smoke), each after a
 * warm-up of one request per connection (it opens the connections, to the server and upstream).
 */
const LATENCY = { delayMs: 250, connections: 200, endpoints: ['sessions', 'portal'] as const };

interface Options {
  smoke: boolean;
  durationS: number;
  connections: number;
  rounds: number;
  profile: boolean;
  warmupS: number;
  /** Sequential requests per endpoint in the round-trip phase. */
  roundTripRequests: number;
  startupSamples: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const positive = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const smoke = values.smoke ?? false;
  return {
    smoke,
    durationS: positive('duration', values.duration, smoke ? 1 : 5),
    connections: Math.round(positive('connections', values.connections, 16)),
    rounds: Math.round(positive('rounds', values.rounds, smoke ? 1 : 2)),
    profile: values.profile ?? false,
    warmupS: smoke ? 0.3 : 1,
    roundTripRequests: smoke ? 10 : 50,
    startupSamples: 3,
  };
}

const launchedAt = performance.now();
const log = (message: string) =>
  process.stderr.write(`bench [${((performance.now() - launchedAt) / 1000).toFixed(1)} s] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `npm run -s build`; its output matters only when it fails. */
function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['run', '-s', 'build'],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`npm run build failed:\n${stdout}${stderr}`));
        else resolve();
      },
    );
  });
}

async function sendOnce(url: string, method: 'GET' | 'POST', request: NextRequest): Promise<number> {
  // No body at all when there is none (a confirm, a GET): a string would come with a content-type.
  const response = await fetch(url, {
    method,
    headers: request.headers,
    body: request.body === '' ? undefined : request.body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** CPU time spent in a phase per request sent to it, in ms (null: not measured). */
function cpuPerRequest(spent: CpuSpent, requests: number): NonNullable<LoadResult['cpuMsPerRequest']> {
  const ms = (seconds: number | null) =>
    seconds === null || requests === 0 ? null : (seconds * 1000) / requests;
  return { server: ms(spent.server), postgres: ms(spent.postgres) };
}

/** An endpoint's request as `apiKey` sends it: a GET has neither body nor content-type. */
function endpointRequest(endpoint: Endpoint, apiKey: string): NextRequest {
  return endpoint.method === 'GET'
    ? { headers: { 'x-api-key': apiKey }, body: '' }
    : { headers: jsonHeaders(apiKey), body: endpoint.body };
}

function describeStatuses(result: { statusCodes: Record<string, number>; errors: number }): string {
  const codes = Object.entries(result.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${count}×${code}`);
  if (result.errors > 0) codes.push(`${result.errors} connection errors/timeouts`);
  return codes.join(', ');
}

/** The best round (highest 2xx req/s) with its latencies; error counts over all rounds. */
function pick(rounds: LoadResult[]): SideFigures {
  const best = rounds.reduce((top, current) => (current.reqPerSec > top.reqPerSec ? current : top));
  return {
    reqPerSec: best.reqPerSec,
    p50Ms: best.p50Ms,
    p99Ms: best.p99Ms,
    cpuMsPerRequest: best.cpuMsPerRequest ?? null,
    chosenRound: rounds.indexOf(best) + 1,
    rounds,
    ...totals(rounds),
  };
}

function totals(rounds: LoadResult[]): Pick<SideFigures, 'non2xx' | 'errors' | 'statusCodes'> {
  const statusCodes: Record<string, number> = {};
  for (const round of rounds) {
    for (const [code, count] of Object.entries(round.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  return {
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    statusCodes,
  };
}

/** The .cpuprofile the service wrote on exit (Node names it CPU.<date>.<time>.<pid>…). */
function newestProfile(since: number): string | null {
  const candidates = readdirSync(RESULTS_DIR)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => ({ path: join(RESULTS_DIR, name), mtime: statSync(join(RESULTS_DIR, name)).mtimeMs }))
    .filter((file) => file.mtime >= since)
    .sort((a, b) => b.mtime - a.mtime);
  return candidates[0]?.path ?? null;
}

interface RoundTrips {
  perEndpoint: Record<EndpointKey, number | 'in-process'>;
  perChange: Record<ChangeKey, number | 'in-process'>;
  perEvent: number | 'in-process';
}

/** What the measured rounds gathered, per endpoint and side. */
interface Measurements {
  service: Record<EndpointKey, LoadResult[]>;
  /** Empty on SQLite (the glue baseline is written for PostgreSQL). */
  glue: Record<EndpointKey, LoadResult[]>;
  baseline: Record<EndpointKey, LoadResult[]>;
  changes: Record<ChangeKey, LoadResult[]>;
  confirmChecks: ConfirmCheck[];
  /** Upstream requests during the service's phases, and the requests sent in them. */
  providerCalls: Record<MeasuredKey, { calls: number; requests: number }>;
  webhooks: WebhookFigures['rounds'];
}

/** What a load phase of the service or the glue varies (the rest is the run's). */
type TargetSpec = Pick<
  Parameters<typeof runLoad>[0],
  'method' | 'path' | 'durationS' | 'next' | 'maxRequests' | 'timeToLastAnswer'
> & { connections?: number };

class BenchmarkRun {
  private database?: BenchDatabase;
  private upstream?: HelperProcess;
  private baseline?: HelperProcess;
  /** PostgreSQL only. */
  private glue?: HelperProcess;
  private service?: ServiceProcess;
  private proxy?: PgRoundTripCounter;
  private cleaning?: Promise<void>;
  private readonly problems: string[] = [];
  private readonly startedAt = performance.now();

  // Filled in by prepare().
  private pools!: Record<PooledKey, AccountPool>;
  private portalAccounts!: BenchAccount[];
  private meSubscribers!: BenchSubscriber[];
  private previewSubscribers!: BenchSubscriber[];
  private events!: WebhookEvents;
  /** Previews sent so far: each one asks for another quantity than the one before. */
  private previewsSent = 0;

  /** Requests per second each side is expected to reach, to size account pools and events. */
  private readonly estimate: Record<MeasuredKey, number> = {
    sessions: 0,
    checkout: 0,
    portal: 0,
    me: 0,
    preview: 0,
    confirm: 0,
    webhooks: 0,
  };
  private readonly baselineEstimate: Record<EndpointKey, number> = {
    sessions: 0,
    checkout: 0,
    portal: 0,
    me: 0,
  };
  private readonly glueEstimate: Record<EndpointKey, number> = { sessions: 0, checkout: 0, portal: 0, me: 0 };

  constructor(private readonly options: Options) {}

  async execute(): Promise<Results> {
    await this.prepare();
    const startupSamples = await this.measureStartup();
    const profileSince = Date.now();
    if (this.options.profile) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      this.service = await startService(this.serviceEnv(this.database!.serviceUrl), {
        cpuProfileDir: RESULTS_DIR,
      });
    }
    const roundTrips = await this.measureRoundTrips();
    await this.warmUp();
    const measurements = await this.runRounds();

    const rssMbAfterRun = this.service!.rssMb();
    const latency = await this.latencyPhases();
    await this.service!.stop();
    this.service = undefined;
    const cpuProfile = this.options.profile ? newestProfile(profileSince) : null;
    return this.summarize(measurements, latency, roundTrips, startupSamples, rssMbAfterRun, cpuProfile);
  }

  /** Stops everything the run started and removes its database; every call shares one cleanup. */
  cleanup(): Promise<void> {
    this.cleaning ??= this.stopEverything();
    return this.cleaning;
  }

  /** The environment of `node dist/main.js`, as an operator would set it for Stripe. */
  private serviceEnv(databaseUrl: string): Record<string, string> {
    return {
      DATABASE_URL: databaseUrl,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET,
      STRIPE_API_URL: this.upstream!.url,
      SUBSCRIPTION_PRICE_ID,
      TRIAL_DAYS: String(TRIAL_DAYS),
      ALLOWED_REDIRECT_ORIGINS: APP_ORIGIN,
      // The highest the service accepts: far beyond what a run sends per credential or IP.
      RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: 'info',
    };
  }

  /** Build, helpers, database, and the accounts that do not depend on measured rates. */
  private async prepare(): Promise<void> {
    log('building the service (npm run build)…');
    await build();
    log('starting the upstream and the baselines, preparing the database…');
    const [upstream, database] = await Promise.all([
      startHelper('upstream.ts'),
      openBenchDatabase(process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL),
    ]);
    this.upstream = upstream;
    this.database = database;
    this.baseline = await startHelper('baseline.ts', {
      PORT: String(await freePort()),
      STRIPE_API_URL: upstream.url,
    });
    if (database.kind === 'postgres') {
      this.glue = await startHelper('glue.ts', {
        PORT: String(await freePort()),
        STRIPE_API_URL: upstream.url,
        DATABASE_URL: database.serviceUrl,
        PG_POOL_MAX: String(postgresPoolConfig().max),
      });
    } else {
      log('SQLite: no glue baseline (it is written for PostgreSQL)');
    }
    this.portalAccounts = await seedAccounts(database, this.options.smoke ? 16 : PORTAL_ACCOUNTS, 'portal');
    this.meSubscribers = await seedSubscribers(
      database,
      this.options.smoke ? ME_SUBSCRIBERS.smoke : ME_SUBSCRIBERS.full,
      'me',
      { priceId: SUBSCRIPTION_PRICE_ID, quantity: 1 },
    );
    await analyze(database);
    this.events = new WebhookEvents(await seedAccounts(database, WEBHOOK_CUSTOMERS, 'webhook'));
    this.previewSubscribers = await seedChangeSubscribers(
      database,
      upstream,
      this.options.smoke ? 16 : PREVIEW_SUBSCRIPTIONS,
      'preview',
    );
    this.pools = {
      sessions: new AccountPool(database, 'sessions', log),
      checkout: new AccountPool(database, 'checkout', log),
    };
  }

  /**
   * Start to healthy, `startupSamples` times with fresh processes. The last process stays up
   * for the load phases, unless profiling needs one started with --cpu-prof.
   */
  private async measureStartup(): Promise<number[]> {
    const samples: number[] = [];
    for (let sample = 1; sample <= this.options.startupSamples; sample++) {
      const service = await startService(this.serviceEnv(this.database!.serviceUrl));
      samples.push(service.startToHealthyMs);
      log(`start to healthy #${sample}: ${Math.round(service.startToHealthyMs)} ms`);
      if (sample < this.options.startupSamples || this.options.profile) await service.stop();
      else this.service = service;
    }
    return samples;
  }

  /**
   * PostgreSQL only: a second service instance talks to the database through
   * PgRoundTripCounter. For each endpoint a few warm-up requests, then `roundTripRequests`
   * requests one at a time, and the ReadyForQuery messages in between divided by their number.
   * Not part of the throughput phases: the proxy costs time.
   */
  private async measureRoundTrips(): Promise<RoundTrips> {
    const database = this.database!;
    if (database.kind !== 'postgres') {
      return {
        perEndpoint: {
          sessions: 'in-process',
          checkout: 'in-process',
          portal: 'in-process',
          me: 'in-process',
        },
        perChange: { preview: 'in-process', confirm: 'in-process' },
        perEvent: 'in-process',
      };
    }
    const total = this.options.roundTripRequests + ROUND_TRIP_WARM_REQUESTS;
    log(`counting database round trips (${this.options.roundTripRequests} sequential requests each)…`);
    const proxy = await new PgRoundTripCounter(database.server!).start();
    this.proxy = proxy;
    const instance = await startService(this.serviceEnv(proxy.proxiedUrl(database.serviceUrl)));
    try {
      const count = async (
        path: string,
        requests: NextRequest[],
        method: 'GET' | 'POST' = 'POST',
      ): Promise<number> => {
        const statuses: Record<string, number> = {};
        const send = async (request: NextRequest) => {
          const status = await sendOnce(`${instance.url}${request.path ?? path}`, method, request);
          statuses[status] = (statuses[status] ?? 0) + 1;
        };
        for (const request of requests.slice(0, ROUND_TRIP_WARM_REQUESTS)) await send(request);
        const before = proxy.count();
        for (const request of requests.slice(ROUND_TRIP_WARM_REQUESTS)) await send(request);
        const after = proxy.count();
        const failed = Object.entries(statuses).filter(([status]) => !status.startsWith('2'));
        if (failed.length > 0) {
          const list = failed.map(([status, n]) => `${n}×${status}`).join(', ');
          this.problems.push(`round-trip phase ${path}: ${list}`);
        }
        if (after.opaqueConnections > 0) {
          this.problems.push(
            `round-trip phase: ${after.opaqueConnections} encrypted connection(s) not counted`,
          );
        }
        return (after.roundTrips - before.roundTrips) / (requests.length - ROUND_TRIP_WARM_REQUESTS);
      };

      const perEndpoint = {} as Record<EndpointKey, number>;
      for (const endpoint of ENDPOINTS) {
        let accounts: BenchAccount[];
        if (isPooled(endpoint.key)) {
          await this.pools[endpoint.key].ensure(total);
          const slice = this.pools[endpoint.key].reserve(total);
          accounts = Array.from({ length: total }, () => slice.next()!);
          slice.release();
        } else {
          const cycle = this.cycledAccounts(endpoint.key);
          accounts = Array.from({ length: total }, (_, i) => cycle[i % cycle.length]);
        }
        const requests = accounts.map((account) => endpointRequest(endpoint, account.apiKey));
        perEndpoint[endpoint.key] = await count(endpoint.path, requests, endpoint.method);
        log(`  ${endpoint.path}: ${perEndpoint[endpoint.key].toFixed(2)} round trips/request`);
      }
      // A few subscriptions, each seen once while warming up: what is counted is the steady
      // state (the service caches whose a provider customer is).
      const events = this.events.build(total, ROUND_TRIP_WARM_REQUESTS);
      const perEvent = await count('/api/webhooks/stripe', events);
      log(`  /api/webhooks/stripe: ${perEvent.toFixed(2)} round trips/event`);

      const previews = Array.from({ length: total }, (_, i) =>
        this.nextPreview(this.previewSubscribers[i % this.previewSubscribers.length]),
      );
      const preview = await count(PREVIEW_PATH, previews);
      log(`  ${CHANGE_LABELS.preview}: ${preview.toFixed(2)} round trips/request`);
      // Checkouts of subscriptions of their own, made through this same instance before counting.
      const subscribers = await seedChangeSubscribers(database, this.upstream!, total, 'round-trip');
      const changes = await prepareChanges(instance.url, subscribers, this.options.connections);
      const confirm = await count(confirmPath('-'), changes.map(confirmRequest));
      log(`  ${CHANGE_LABELS.confirm}: ${confirm.toFixed(2)} round trips/request`);
      return { perEndpoint, perChange: { preview, confirm }, perEvent };
    } finally {
      await instance.stop();
      await proxy.stop();
      this.proxy = undefined;
    }
  }

  /** JIT, connection pools, the price cache; and a first idea of each side's rate. */
  private async warmUp(): Promise<void> {
    const o = this.options;
    log('warming up…');
    const cap = Math.max(200, Math.round(3_000 * o.warmupS));
    for (const endpoint of ENDPOINTS) {
      if (isPooled(endpoint.key)) await this.pools[endpoint.key].ensure(cap);
      const service = await this.accountPhase('service', endpoint, o.warmupS, cap, true);
      this.estimate[endpoint.key] = service.result.reqPerSec;
      this.note(`warm-up service ${endpoint.path}`, service.result);
      if (this.glue) {
        if (isPooled(endpoint.key)) await this.pools[endpoint.key].ensure(cap);
        const glue = await this.accountPhase('glue', endpoint, o.warmupS, cap, true);
        this.glueEstimate[endpoint.key] = glue.result.reqPerSec;
        this.note(`warm-up glue ${endpoint.path}`, glue.result);
      }
      const baseline = await this.baselinePhase(endpoint, o.warmupS);
      this.baselineEstimate[endpoint.key] = baseline.reqPerSec;
      this.note(`warm-up baseline ${endpoint.path}`, baseline);
    }
    const webhooks = await this.webhookPhase(this.events.build(cap), o.warmupS);
    this.estimate.webhooks = webhooks.result.reqPerSec;
    this.note('warm-up service POST /api/webhooks/stripe', webhooks.result);
    const preview = await this.previewPhase(o.warmupS, cap);
    this.estimate.preview = preview.result.reqPerSec;
    this.note(`warm-up service ${CHANGE_LABELS.preview}`, preview.result);
    const confirm = await this.confirmPhase(o.smoke ? CONFIRM_WARMUP.smoke : CONFIRM_WARMUP.full, 'warm-up');
    this.estimate.confirm = confirm.result.reqPerSec;
    this.note(`warm-up service ${CHANGE_LABELS.confirm}`, confirm.result);
    for (const key of ['sessions', 'checkout'] as const) {
      const glue = this.glue ? this.perPhase(key, 'glue') : 0;
      await this.pools[key].ensure((this.perPhase(key) + glue) * o.rounds);
    }
  }

  /**
   * How many accounts (or events) one phase of `target` may need, generously. Warm-ups are short
   * and cold and the machine may be busy, so the rate planned for is the highest of: three times
   * the target's best rate so far, one and a half times the bare baseline's warm-up rate (the
   * service and the glue do strictly more work) and FLOOR_RATE_PER_S.
   */
  private perPhase(key: EndpointKey | 'webhooks', target: Target = 'service'): number {
    const best = key === 'webhooks' || target === 'service' ? this.estimate[key] : this.glueEstimate[key];
    const rate = Math.max(
      best * 3,
      key === 'webhooks' ? 0 : this.baselineEstimate[key] * 1.5,
      FLOOR_RATE_PER_S,
    );
    return Math.ceil(rate * this.options.durationS * 1.2) + 4 * this.options.connections;
  }

  /** The measured rounds: per endpoint, service, glue and baseline take turns; then webhook intake. */
  private async runRounds(): Promise<Measurements> {
    const o = this.options;
    const m: Measurements = {
      service: { sessions: [], checkout: [], portal: [], me: [] },
      glue: { sessions: [], checkout: [], portal: [], me: [] },
      baseline: { sessions: [], checkout: [], portal: [], me: [] },
      changes: { preview: [], confirm: [] },
      confirmChecks: [],
      providerCalls: {
        sessions: { calls: 0, requests: 0 },
        checkout: { calls: 0, requests: 0 },
        portal: { calls: 0, requests: 0 },
        me: { calls: 0, requests: 0 },
        preview: { calls: 0, requests: 0 },
        confirm: { calls: 0, requests: 0 },
        webhooks: { calls: 0, requests: 0 },
      },
      webhooks: [],
    };
    for (let round = 1; round <= o.rounds; round++) {
      // Who goes first alternates from round to round (the glue is always in the middle).
      const sides = ['service', ...(this.glue ? (['glue'] as const) : []), 'baseline'] as const;
      const order = round % 2 === 1 ? sides : [...sides].reverse();
      for (const endpoint of ENDPOINTS) {
        for (const side of order) {
          if (side === 'baseline') {
            const result = await this.baselinePhase(endpoint, o.durationS);
            m.baseline[endpoint.key].push(result);
            this.note(`baseline ${endpoint.path} round ${round}`, result);
            log(`round ${round} baseline ${endpoint.path}: ${Math.round(result.reqPerSec)} req/s`);
            continue;
          }
          const size = this.perPhase(endpoint.key, side);
          if (isPooled(endpoint.key)) await this.pools[endpoint.key].ensure(size);
          const { result, upstreamCalls } = await this.accountPhase(side, endpoint, o.durationS, size, false);
          if (side === 'glue') {
            if (result.exhausted) {
              throw new Error(
                `the ${endpoint.key} accounts ran out in round ${round} of the glue after ${result.sent} ` +
                  'requests: raise the estimate in perPhase()',
              );
            }
            m.glue[endpoint.key].push(result);
            this.glueEstimate[endpoint.key] = Math.max(this.glueEstimate[endpoint.key], result.reqPerSec);
            this.note(`glue ${endpoint.path} round ${round}`, result);
            log(`round ${round} glue     ${endpoint.path}: ${Math.round(result.reqPerSec)} req/s`);
            continue;
          }
          if (result.exhausted) {
            throw new Error(
              `the ${endpoint.key} accounts ran out in round ${round} after ${result.sent} requests: ` +
                'raise the estimate in perPhase()',
            );
          }
          m.service[endpoint.key].push(result);
          // Requests sent, not only those answered before autocannon stopped: the ones in flight
          // then are finished by the service during the settle pause, provider call included.
          m.providerCalls[endpoint.key].calls += upstreamCalls;
          m.providerCalls[endpoint.key].requests += result.sent;
          this.estimate[endpoint.key] = Math.max(this.estimate[endpoint.key], result.reqPerSec);
          this.note(`service ${endpoint.path} round ${round}`, result);
          log(
            `round ${round} service  ${endpoint.path}: ${Math.round(result.reqPerSec)} req/s ` +
              `(service CPU ${Math.round(result.serviceCpuPercent ?? NaN)} % of a core)`,
          );
        }
      }
      const { result, applied, upstreamCalls } = await this.webhookPhase(
        this.events.build(this.perPhase('webhooks')),
        o.durationS,
      );
      if (result.exhausted) {
        throw new Error(`the webhook events ran out in round ${round}: raise the estimate in perPhase()`);
      }
      const appliedPerSec = applied / result.durationS;
      m.webhooks.push({ ...result, applied, appliedPerSec });
      m.providerCalls.webhooks.calls += upstreamCalls;
      m.providerCalls.webhooks.requests += result.sent;
      this.estimate.webhooks = Math.max(this.estimate.webhooks, result.reqPerSec);
      this.note(`service POST /api/webhooks/stripe round ${round}`, result);
      log(
        `round ${round} webhooks: ${Math.round(appliedPerSec)} events applied/s ` +
          `(service CPU ${Math.round(result.serviceCpuPercent ?? NaN)} % of a core)`,
      );
      await this.changeRound(m, round);
    }
    return m;
  }

  /**
   * The latency phase: the upstream answers every request after LATENCY.delayMs, and
   * LATENCY.connections connections drive the sessions endpoint (a fresh account per request) and
   * the portal, on the service and on the glue (who goes first alternates per endpoint). Measured
   * after the rounds, so that the provider's delay touches nothing else; the upstream answers at
   * once again afterwards.
   */
  private async latencyPhases(): Promise<LatencyFigures> {
    const o = this.options;
    const { delayMs, connections } = LATENCY;
    const targets: Target[] = this.glue ? ['service', 'glue'] : ['service'];
    // No server gets more answers than its connections over the provider's delay allow.
    const size = Math.ceil((connections / (delayMs / 1000)) * o.durationS * 1.2) + 2 * connections;
    const endpoints: LatencyFigures['endpoints'] = [];
    log(`latency phase: the upstream answers after ${delayMs} ms, ${connections} connections…`);
    await this.upstream!.setDelay(delayMs);
    try {
      for (const [n, key] of LATENCY.endpoints.entries()) {
        const endpoint = ENDPOINTS.find((candidate) => candidate.key === key)!;
        const measured: Partial<Record<Target, LoadResult>> = {};
        for (const target of n % 2 === 0 ? targets : [...targets].reverse()) {
          if (isPooled(endpoint.key)) await this.pools[endpoint.key].ensure(size + connections);
          // One request per connection, ending on its count (the time is only a bound).
          const warm = await this.accountPhase(target, endpoint, 30, connections, true, connections);
          this.note(`latency warm-up ${target} ${endpoint.path}`, warm.result);
          const { result } = await this.accountPhase(target, endpoint, o.durationS, size, false, connections);
          if (result.exhausted) {
            this.problems.push(
              `latency phase ${target} ${endpoint.path}: the ${size} accounts ran out after ${result.sent} requests`,
            );
          }
          measured[target] = result;
          this.note(`latency phase ${target} ${endpoint.path}`, result);
          log(
            `latency ${target.padEnd(7)} ${endpoint.path}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
              `${Math.round(result.reqPerSec)} req/s`,
          );
        }
        const service = pick([measured.service!]);
        const glue = measured.glue ? pick([measured.glue]) : null;
        endpoints.push({
          key,
          method: endpoint.method,
          path: endpoint.path,
          service,
          glue,
          p50DifferenceMs: glue ? service.p50Ms - glue.p50Ms : NaN,
          p99DifferenceMs: glue ? service.p99Ms - glue.p99Ms : NaN,
        });
      }
    } finally {
      await this.upstream!.setDelay(0);
    }
    return { upstreamDelayMs: delayMs, connections, durationS: o.durationS, endpoints };
  }

  /** One round of subscription changes: a timed preview phase, then a confirm phase. */
  private async changeRound(m: Measurements, round: number): Promise<void> {
    const o = this.options;
    const preview = await this.previewPhase(o.durationS);
    m.changes.preview.push(preview.result);
    m.providerCalls.preview.calls += preview.upstreamCalls;
    m.providerCalls.preview.requests += preview.result.sent;
    this.estimate.preview = Math.max(this.estimate.preview, preview.result.reqPerSec);
    this.note(`service ${CHANGE_LABELS.preview} round ${round}`, preview.result);
    log(
      `round ${round} service  ${CHANGE_LABELS.preview}: ${Math.round(preview.result.reqPerSec)} req/s ` +
        `(service CPU ${Math.round(preview.result.serviceCpuPercent ?? NaN)} % of a core)`,
    );

    const max = o.smoke ? CONFIRMS_PER_ROUND.smokeMax : CONFIRMS_PER_ROUND.max;
    const size = Math.min(
      max,
      Math.max(CONFIRMS_PER_ROUND.min, 4 * o.connections, Math.ceil(this.estimate.confirm * o.durationS)),
    );
    const confirm = await this.confirmPhase(size, `round ${round}`);
    m.changes.confirm.push(confirm.result);
    m.confirmChecks.push(confirm.check);
    m.providerCalls.confirm.calls += confirm.upstreamCalls;
    m.providerCalls.confirm.requests += confirm.result.sent;
    this.estimate.confirm = Math.max(this.estimate.confirm, confirm.result.reqPerSec);
    this.note(`service ${CHANGE_LABELS.confirm} round ${round}`, confirm.result);
    log(
      `round ${round} service  ${CHANGE_LABELS.confirm}: ${Math.round(confirm.result.reqPerSec)} confirms/s ` +
        `over ${size} changes (service CPU ${Math.round(confirm.result.serviceCpuPercent ?? NaN)} % of a core)`,
    );
  }

  /** The next preview of a subscriber: a quantity other than the previous preview's. */
  private nextPreview(subscriber: BenchSubscriber): NextRequest {
    return previewRequest(subscriber, this.previewsSent++);
  }

  /** Previews for `durationS` (or `maxRequests`), cycling through the preview subscriptions. */
  private previewPhase(
    durationS: number,
    maxRequests?: number,
  ): Promise<{ result: LoadResult; upstreamCalls: number }> {
    const subscribers = this.previewSubscribers;
    let i = 0;
    return this.loadService({
      path: PREVIEW_PATH,
      durationS,
      next: () => this.nextPreview(subscribers[i++ % subscribers.length]),
      ...(maxRequests === undefined ? {} : { maxRequests }),
    });
  }

  /**
   * `count` confirms, each of a change checkout prepared (untimed) on a subscription seeded for
   * it; the phase ends when all are answered. Then the check: every answer 200, and exactly one
   * update of each subscription at the upstream (a problem of the report otherwise).
   */
  private async confirmPhase(
    count: number,
    what: string,
  ): Promise<{ result: LoadResult; upstreamCalls: number; check: ConfirmCheck }> {
    const started = performance.now();
    const subscribers = await seedChangeSubscribers(this.database!, this.upstream!, count, 'confirm');
    const changes = await prepareChanges(this.service!.url, subscribers, this.options.connections);
    log(`prepared ${count} change checkouts in ${Math.round(performance.now() - started)} ms`);
    let i = 0;
    const measured = await this.loadService({
      path: confirmPath('-'),
      durationS: CONFIRM_PHASE_LIMIT_S,
      maxRequests: count,
      timeToLastAnswer: true,
      next: () => (i < changes.length ? confirmRequest(changes[i++]) : null),
    });
    const updates = await this.upstream!.subscriptionUpdates(changes.map((change) => change.subscriptionId));
    const check: ConfirmCheck = {
      changes: count,
      answered200: measured.result.statusCodes['200'] ?? 0,
      updatedOnce: updates.filter((n) => n === 1).length,
      notUpdated: updates.filter((n) => n === 0).length,
      updatedMoreThanOnce: updates.filter((n) => n > 1).length,
    };
    if (measured.result.sent !== count || measured.result.exhausted) {
      this.problems.push(
        `${what} ${CHANGE_LABELS.confirm}: ${measured.result.sent} requests sent for ${count} checkouts`,
      );
    }
    if (check.answered200 !== count || check.updatedOnce !== count) {
      this.problems.push(
        `${what} ${CHANGE_LABELS.confirm}: ${check.answered200} of ${count} answered 200; ` +
          `updates at the upstream: ${check.updatedOnce} exactly once, ${check.notUpdated} none, ` +
          `${check.updatedMoreThanOnce} more than once`,
      );
    }
    return { ...measured, check };
  }

  /** The accounts an endpoint without fresh accounts cycles through. */
  private cycledAccounts(key: Exclude<EndpointKey, PooledKey>): BenchAccount[] {
    return key === 'portal' ? this.portalAccounts : this.meSubscribers;
  }

  /**
   * One load phase against the service or the glue, each request with a fresh account (portal and
   * me: cycling through a small set). `size` accounts are reserved: a warm-up stops there, a
   * measured phase that gets there is reported `exhausted` (its figures would be cut short).
   */
  private async accountPhase(
    target: Target,
    endpoint: Endpoint,
    durationS: number,
    size: number,
    warmup: boolean,
    connections = this.options.connections,
  ): Promise<{ result: LoadResult; upstreamCalls: number }> {
    let next: () => NextRequest | null;
    let release: () => void = () => undefined;
    if (isPooled(endpoint.key)) {
      const slice = this.pools[endpoint.key].reserve(size);
      next = () => {
        const account = slice.next();
        return account ? endpointRequest(endpoint, account.apiKey) : null;
      };
      release = slice.release;
    } else {
      let i = 0;
      const accounts = this.cycledAccounts(endpoint.key);
      next = () => endpointRequest(endpoint, accounts[i++ % accounts.length].apiKey);
    }
    try {
      return await this.loadTarget(target, {
        method: endpoint.method,
        path: endpoint.path,
        connections,
        durationS,
        next,
        ...(warmup ? { maxRequests: size } : {}),
      });
    } finally {
      release();
    }
  }

  /** One load phase against the service: see loadTarget. */
  private loadService(spec: TargetSpec): Promise<{ result: LoadResult; upstreamCalls: number }> {
    return this.loadTarget('service', spec);
  }

  /**
   * One load phase against the service or the glue, with the run's connections: the service's
   * CPU over the phase, CPU time per request of the target and of PostgreSQL (up to the end of the
   * settle pause), and the upstream requests the target made (counted after the settle pause).
   */
  private async loadTarget(
    target: Target,
    spec: TargetSpec,
  ): Promise<{ result: LoadResult; upstreamCalls: number }> {
    const server = target === 'service' ? this.service! : this.glue!;
    const cpuSeconds = () => (target === 'service' ? this.service!.cpuSeconds() : null);
    const callsBefore = await this.upstream!.requestCount();
    const cpuBefore = cpuSeconds();
    const meter = startCpuMeter(server.pid);
    const result = await runLoad({
      url: server.url,
      ...spec,
      connections: spec.connections ?? this.options.connections,
    });
    const cpuAfter = cpuSeconds();
    if (cpuBefore !== null && cpuAfter !== null) {
      result.serviceCpuPercent = ((cpuAfter - cpuBefore) / result.durationS) * 100;
    }
    await sleep(SETTLE_MS);
    result.cpuMsPerRequest = cpuPerRequest(meter.stop(), result.sent);
    return { result, upstreamCalls: (await this.upstream!.requestCount()) - callsBefore };
  }

  /** One load phase against the baseline: its one static key, the same bodies. */
  private async baselinePhase(endpoint: Endpoint, durationS: number): Promise<LoadResult> {
    const request = endpointRequest(endpoint, BASELINE_API_KEY);
    const meter = startCpuMeter(this.baseline!.pid);
    const result = await runLoad({
      url: this.baseline!.url,
      method: endpoint.method,
      path: endpoint.path,
      connections: this.options.connections,
      durationS,
      next: () => request,
    });
    await sleep(SETTLE_MS);
    result.cpuMsPerRequest = cpuPerRequest(meter.stop(), result.sent);
    return result;
  }

  /** Webhook intake: each delivery a distinct event; applied = new rows in webhook_events. */
  private async webhookPhase(
    events: NextRequest[],
    durationS: number,
  ): Promise<{ result: LoadResult; applied: number; upstreamCalls: number }> {
    let i = 0;
    const appliedBefore = await countWebhookEvents(this.database!);
    const callsBefore = await this.upstream!.requestCount();
    const cpuBefore = this.service!.cpuSeconds();
    const meter = startCpuMeter(this.service!.pid);
    const result = await runLoad({
      url: this.service!.url,
      path: '/api/webhooks/stripe',
      connections: this.options.connections,
      durationS,
      next: () => (i < events.length ? events[i++] : null),
    });
    const cpuAfter = this.service!.cpuSeconds();
    if (cpuBefore !== null && cpuAfter !== null) {
      result.serviceCpuPercent = ((cpuAfter - cpuBefore) / result.durationS) * 100;
    }
    await sleep(SETTLE_MS);
    result.cpuMsPerRequest = cpuPerRequest(meter.stop(), result.sent);
    return {
      result,
      applied: (await countWebhookEvents(this.database!)) - appliedBefore,
      upstreamCalls: (await this.upstream!.requestCount()) - callsBefore,
    };
  }

  /** Records a phase's non-2xx answers and connection errors for the report. */
  private note(what: string, result: LoadResult): void {
    if (result.non2xx > 0 || result.errors > 0) {
      const answered = result.ok + result.non2xx;
      this.problems.push(
        `${what}: ${result.non2xx + result.errors} of ${answered} (${describeStatuses(result)})`,
      );
    }
  }

  private summarize(
    m: Measurements,
    latency: LatencyFigures,
    roundTrips: RoundTrips,
    startupSamples: number[],
    rssMbAfterRun: number | null,
    cpuProfile: string | null,
  ): Results {
    const o = this.options;
    const perRequest = (key: MeasuredKey) => {
      const { calls, requests } = m.providerCalls[key];
      return requests > 0 ? calls / requests : NaN;
    };
    const endpoints = ENDPOINTS.map((endpoint) => {
      const service = pick(m.service[endpoint.key]);
      const glue = m.glue[endpoint.key].length > 0 ? pick(m.glue[endpoint.key]) : null;
      const baseline = pick(m.baseline[endpoint.key]);
      return {
        key: endpoint.key,
        method: endpoint.method,
        path: endpoint.path,
        service,
        glue,
        baseline,
        ratio: service.reqPerSec / baseline.reqPerSec,
        ratioToGlue: glue ? service.reqPerSec / glue.reqPerSec : NaN,
        providerCallsPerRequest: perRequest(endpoint.key),
        dbRoundTripsPerRequest: roundTrips.perEndpoint[endpoint.key],
      };
    });
    const changes: ChangeFigures[] = (['preview', 'confirm'] as const).map((key) => ({
      key,
      label: CHANGE_LABELS[key],
      service: pick(m.changes[key]),
      providerCallsPerRequest: perRequest(key),
      dbRoundTripsPerRequest: roundTrips.perChange[key],
      ...(key === 'confirm'
        ? {
            checks: {
              rounds: m.confirmChecks,
              held: m.confirmChecks.every(
                (check) => check.answered200 === check.changes && check.updatedOnce === check.changes,
              ),
            },
          }
        : {}),
    }));
    const best = m.webhooks.reduce((top, current) =>
      current.appliedPerSec > top.appliedPerSec ? current : top,
    );
    const webhooks: WebhookFigures = {
      appliedPerSec: best.appliedPerSec,
      answeredPerSec: best.reqPerSec,
      p50Ms: best.p50Ms,
      p99Ms: best.p99Ms,
      cpuMsPerRequest: best.cpuMsPerRequest ?? null,
      chosenRound: m.webhooks.indexOf(best) + 1,
      rounds: m.webhooks,
      ...totals(m.webhooks),
      providerCallsPerEvent: perRequest('webhooks'),
      dbRoundTripsPerEvent: roundTrips.perEvent,
    };
    const results: Results = {
      generatedAt: new Date().toISOString(),
      settings: {
        smoke: o.smoke,
        connections: o.connections,
        durationS: o.durationS,
        warmupS: o.warmupS,
        rounds: o.rounds,
        aggregation:
          `best of ${o.rounds} round(s) per endpoint and side (service, glue, bare baseline; highest 2xx req/s, with that round's ` +
          'latencies); latencies of 2xx answers in ms (1 ms resolution); provider calls/req = upstream ' +
          'requests ÷ requests sent, over all rounds; webhook events/s = new webhook_events rows ÷ ' +
          'phase duration; confirms/s = 200 answers ÷ time to the last answer; CPU ms/req = CPU time ÷ requests sent ' +
          '(chosen round); the latency phase is one phase per endpoint and side',
        roundTripRequestsPerEndpoint: o.roundTripRequests,
        glue: this.glue !== undefined,
        database: this.database!.kind,
        databaseUrl: this.database!.description,
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        clockTicksPerSecond: clockTicksPerSecond(),
        profile: o.profile,
      },
      endpoints,
      changes,
      webhooks,
      latency,
      startup: { medianMs: median(startupSamples), samplesMs: startupSamples },
      rssMbAfterRun,
      problems: this.problems,
      targets: [],
      cpuProfile,
      harnessSeconds: 0,
    };
    results.targets = evaluateTargets(results);
    results.harnessSeconds = (performance.now() - this.startedAt) / 1000;
    return results;
  }

  private async stopEverything(): Promise<void> {
    await this.service?.stop().catch(() => undefined);
    await stopAll().catch(() => undefined);
    await this.proxy?.stop().catch(() => undefined);
    const database = this.database;
    this.database = undefined;
    await database
      ?.drop()
      .catch((error: unknown) => log(`could not drop the benchmark database: ${String(error)}`));
  }
}

let interrupted = false;

async function main(): Promise<void> {
  const run = new BenchmarkRun(parseOptions(process.argv.slice(2)));

  // Whatever happens, no child process outlives the benchmark, and its database is dropped.
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${signal}: stopping…`);
      void run.cleanup().finally(() => process.exit(130));
    });
  }

  let results: Results;
  try {
    results = await run.execute();
  } finally {
    await run.cleanup();
  }
  process.stdout.write(`\n${formatResults(results)}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, 'latest.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nWritten to ${file} (the harness took ${results.harnessSeconds.toFixed(1)} s).\n`);
}

main().catch((error: unknown) => {
  // Interrupted: the phase in progress fails as its processes go; the signal handler exits.
  if (interrupted) return;
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
