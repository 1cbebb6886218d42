import { LoadResult } from './load';
import { EndpointKey } from './shared';

/** The figures of one side (service, glue or bare baseline) of one endpoint, as reported. */
export interface SideFigures {
  /** 2xx answers per second of the chosen round. */
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** The chosen round's CPU time per request, in ms (LoadResult.cpuMsPerRequest). */
  cpuMsPerRequest: { server: number | null; postgres: number | null } | null;
  /** Which round was chosen (1-based), and every round's result. */
  chosenRound: number;
  rounds: LoadResult[];
  /** Over all rounds. */
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

export interface EndpointFigures {
  key: EndpointKey;
  method: 'GET' | 'POST';
  path: string;
  service: SideFigures;
  /** The glue baseline (bench/glue.ts); null when it did not run (SQLite). */
  glue: SideFigures | null;
  /** The bare baseline (bench/baseline.ts). */
  baseline: SideFigures;
  /** service req/s ÷ bare baseline req/s. */
  ratio: number;
  /** service req/s ÷ glue req/s (NaN without the glue). */
  ratioToGlue: number;
  /** Upstream requests during the service's phases ÷ requests completed in them. */
  providerCallsPerRequest: number;
  /** From the separate round-trip phase; 'in-process' on SQLite. */
  dbRoundTripsPerRequest: number | 'in-process';
}

/** One confirm phase's check: every change applied exactly once. */
export interface ConfirmCheck {
  /** Change checkouts confirmed in the phase, each of a subscription of its own. */
  changes: number;
  /** Answers with status 200. */
  answered200: number;
  /** Subscriptions the upstream saw exactly one `POST /v1/subscriptions/:id` for. */
  updatedOnce: number;
  notUpdated: number;
  updatedMoreThanOnce: number;
}

/** A subscription change call, measured on the service only (the baseline has no subscriptions). */
export interface ChangeFigures {
  key: 'preview' | 'confirm';
  /** As the table shows it. */
  label: string;
  service: SideFigures;
  /** Upstream requests during the service's phases ÷ requests sent in them. */
  providerCallsPerRequest: number;
  dbRoundTripsPerRequest: number | 'in-process';
  /** Confirm only: each round's check, and whether all of them held. */
  checks?: { rounds: ConfirmCheck[]; held: boolean };
}

export interface WebhookFigures {
  /** Rows added to webhook_events during the phase ÷ the phase's duration (chosen round). */
  appliedPerSec: number;
  /** What autocannon saw in the same round: 2xx answers per second. */
  answeredPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** The chosen round's CPU time per event sent, in ms (service and PostgreSQL). */
  cpuMsPerRequest: { server: number | null; postgres: number | null } | null;
  chosenRound: number;
  rounds: Array<LoadResult & { applied: number; appliedPerSec: number }>;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  providerCallsPerEvent: number;
  dbRoundTripsPerEvent: number | 'in-process';
}

/**
 * The latency phase: the upstream answers after `upstreamDelayMs`, and `connections` connections
 * drive each endpoint on the service and on the glue (one phase each, `durationS`).
 */
export interface LatencyFigures {
  upstreamDelayMs: number;
  connections: number;
  durationS: number;
  endpoints: Array<{
    key: 'sessions' | 'portal';
    method: 'GET' | 'POST';
    path: string;
    service: SideFigures;
    /** null when the glue did not run (SQLite). */
    glue: SideFigures | null;
    /** The service's p50 minus the glue's, in ms: what the service adds to each call (NaN without the glue). */
    p50DifferenceMs: number;
    p99DifferenceMs: number;
  }>;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  /** null: does not apply to this run (e.g. a PostgreSQL target on SQLite). */
  met: boolean | null;
}

export interface Results {
  generatedAt: string;
  settings: {
    smoke: boolean;
    connections: number;
    durationS: number;
    warmupS: number;
    rounds: number;
    aggregation: string;
    /** Whether the glue baseline ran (PostgreSQL only). */
    glue: boolean;
    roundTripRequestsPerEndpoint: number;
    database: 'postgres' | 'sqlite';
    databaseUrl: string;
    node: string;
    cpus: number;
    cpuModel: string;
    /** What /proc counts CPU time in (`getconf CLK_TCK`). */
    clockTicksPerSecond: number;
    profile: boolean;
  };
  endpoints: EndpointFigures[];
  /** Change preview and confirm (not in the targets, which are about the endpoints above). */
  changes: ChangeFigures[];
  webhooks: WebhookFigures;
  latency: LatencyFigures;
  startup: { medianMs: number; samplesMs: number[] };
  rssMbAfterRun: number | null;
  /** Non-2xx answers and connection errors of any phase, one line each. */
  problems: string[];
  targets: Target[];
  cpuProfile: string | null;
  harnessSeconds: number;
}

const MARK = (met: boolean | null) => (met === null ? '–' : met ? '✓' : '✗');

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const rate = (value: number) => fixed(value, 0);
const ms = (value: number) => fixed(value, 0);
const perRequest = (value: number | 'in-process') => (typeof value === 'number' ? fixed(value, 2) : value);

/** Left-aligns the first column (all of them with `leftOnly`) and right-aligns the others. */
function table(rows: string[][], leftOnly = false): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => {
          const pad = ' '.repeat(widths[column] - [...cell].length);
          return column === 0 || leftOnly ? cell + pad : pad + cell;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatResults(results: Results): string {
  const s = results.settings;
  const lines: string[] = [];
  lines.push(
    `Benchmark: ${s.connections} connections, ${s.durationS} s per phase, ${s.rounds} round(s), ` +
      `${s.database} (${s.databaseUrl}), node ${s.node}, ${s.cpus} CPU(s)${s.smoke ? ' — SMOKE RUN' : ''}`,
  );
  lines.push(`Figures: ${s.aggregation}.`);
  lines.push('');
  const header = [
    'endpoint',
    'service req/s',
    'p50 ms',
    'p99 ms',
    'glue req/s',
    'p50 ms',
    'p99 ms',
    'bare req/s',
    'p50 ms',
    'p99 ms',
    'svc/glue',
    'svc/bare',
    'provider calls/req',
    'DB round trips/req',
    'non-2xx svc/glue/bare',
  ];
  const failed = (side: SideFigures | null) => (side ? String(side.non2xx + side.errors) : '–');
  const rows = results.endpoints.map((endpoint) => [
    `${endpoint.method} ${endpoint.path}`,
    rate(endpoint.service.reqPerSec),
    ms(endpoint.service.p50Ms),
    ms(endpoint.service.p99Ms),
    endpoint.glue ? rate(endpoint.glue.reqPerSec) : '–',
    endpoint.glue ? ms(endpoint.glue.p50Ms) : '–',
    endpoint.glue ? ms(endpoint.glue.p99Ms) : '–',
    rate(endpoint.baseline.reqPerSec),
    ms(endpoint.baseline.p50Ms),
    ms(endpoint.baseline.p99Ms),
    endpoint.glue ? fixed(endpoint.ratioToGlue, 2) : '–',
    fixed(endpoint.ratio, 2),
    fixed(endpoint.providerCallsPerRequest, 2),
    perRequest(endpoint.dbRoundTripsPerRequest),
    `${failed(endpoint.service)}/${failed(endpoint.glue)}/${failed(endpoint.baseline)}`,
  ]);
  const changeRows = results.changes.map((change) => [
    change.label,
    rate(change.service.reqPerSec),
    ms(change.service.p50Ms),
    ms(change.service.p99Ms),
    ...Array<string>(8).fill('–'),
    fixed(change.providerCallsPerRequest, 2),
    perRequest(change.dbRoundTripsPerRequest),
    `${failed(change.service)}/–/–`,
  ]);
  lines.push(table([header, ...rows, ...changeRows]));
  lines.push(
    s.glue
      ? "glue: bench/glue.ts, node:http + pg + the stripe SDK doing each endpoint's database work on the " +
          "service's schema (no cache, no framework); bare: bench/baseline.ts, no database at all."
      : 'glue: not run (it is written for PostgreSQL); bare: bench/baseline.ts, no database at all.',
  );
  lines.push('');
  lines.push(
    `CPU time per request sent, in ms (chosen round; utime + stime from /proc at ${s.clockTicksPerSecond} ticks/s, ` +
      'from the start of the phase to the end of its settle pause). PG: every postgres process of the machine ' +
      "together, so other users' work is included (the bare baseline's phases, which touch no database, show that floor).",
  );
  const cpuCell = (cpu: SideFigures['cpuMsPerRequest'] | undefined, which: 'server' | 'postgres') =>
    cpu?.[which] === null || cpu?.[which] === undefined ? '–' : fixed(cpu[which], 2);
  const cpuRow = (label: string, sides: Array<SideFigures['cpuMsPerRequest'] | undefined>) => [
    label,
    // Service-only rows leave the glue's and the bare baseline's cells empty.
    ...[0, 1, 2].flatMap((i) => [cpuCell(sides[i], 'server'), cpuCell(sides[i], 'postgres')]),
  ];
  lines.push(
    table([
      ['endpoint', 'service', 'PG (svc phase)', 'glue', 'PG (glue phase)', 'bare', 'PG (bare phase)'],
      ...results.endpoints.map((endpoint) =>
        cpuRow(`${endpoint.method} ${endpoint.path}`, [
          endpoint.service.cpuMsPerRequest,
          endpoint.glue?.cpuMsPerRequest,
          endpoint.baseline.cpuMsPerRequest,
        ]),
      ),
      ...results.changes.map((change) => cpuRow(change.label, [change.service.cpuMsPerRequest])),
      cpuRow('POST /api/webhooks/stripe (per event)', [results.webhooks.cpuMsPerRequest]),
    ]),
  );
  lines.push('');
  const confirm = results.changes.find((change) => change.key === 'confirm');
  if (confirm?.checks) {
    const all = confirm.checks.rounds;
    const sum = (pick: (check: ConfirmCheck) => number) => all.reduce((n, check) => n + pick(check), 0);
    lines.push(
      'Subscription changes (service only: the baseline has no subscriptions): a preview is a quantity ' +
        'update of a seeded subscription (1 → 2–10 seats, applied now); each confirm round confirms ' +
        `checkouts prepared beforehand through the API, one per subscription (${all.map((check) => check.changes).join(', ')} ` +
        'per round), timed to the last answer.',
    );
    lines.push(
      `Confirm check: ${sum((check) => check.answered200)} of ${sum((check) => check.changes)} answered 200; ` +
        `the upstream saw exactly one POST /v1/subscriptions/:id for ${sum((check) => check.updatedOnce)} ` +
        `subscriptions, none for ${sum((check) => check.notUpdated)}, more than one for ` +
        `${sum((check) => check.updatedMoreThanOnce)} — ${confirm.checks.held ? 'held' : 'VIOLATED'}.`,
    );
  }
  const w = results.webhooks;
  lines.push(
    `Webhook intake (POST /api/webhooks/stripe, distinct signed customer.subscription.updated events): ` +
      `${rate(w.appliedPerSec)} events applied/s (webhook_events rows), autocannon saw ${rate(w.answeredPerSec)} 2xx/s, ` +
      `p50 ${ms(w.p50Ms)} ms, p99 ${ms(w.p99Ms)} ms, provider calls/event ${fixed(w.providerCallsPerEvent, 2)}, ` +
      `DB round trips/event ${perRequest(w.dbRoundTripsPerEvent)}, non-2xx ${w.non2xx + w.errors}`,
  );
  const l = results.latency;
  lines.push('');
  lines.push(
    `Latency with a slow provider: the upstream answers after ${l.upstreamDelayMs} ms, ${l.connections} ` +
      `connections, ${l.durationS} s per phase (sessions: a fresh account per request; latencies of 2xx answers):`,
  );
  lines.push(
    table([
      [
        'endpoint',
        'service p50 ms',
        'p99 ms',
        'glue p50 ms',
        'p99 ms',
        'svc−glue p50 ms',
        'svc−glue p99 ms',
        'req/s svc/glue',
        'errors svc/glue',
      ],
      ...l.endpoints.map((endpoint) => [
        `${endpoint.method} ${endpoint.path}`,
        ms(endpoint.service.p50Ms),
        ms(endpoint.service.p99Ms),
        endpoint.glue ? ms(endpoint.glue.p50Ms) : '–',
        endpoint.glue ? ms(endpoint.glue.p99Ms) : '–',
        fixed(endpoint.p50DifferenceMs, 0),
        fixed(endpoint.p99DifferenceMs, 0),
        `${rate(endpoint.service.reqPerSec)}/${endpoint.glue ? rate(endpoint.glue.reqPerSec) : '–'}`,
        `${failed(endpoint.service)}/${failed(endpoint.glue)}`,
      ]),
    ]),
  );
  lines.push('');
  lines.push(
    `Start to first healthy answer: ${fixed(results.startup.medianMs, 0)} ms ` +
      `(median of ${results.startup.samplesMs.map((value) => fixed(value, 0)).join(', ')} ms)`,
  );
  lines.push(
    `Resident memory (VmRSS) of the service after the run: ${results.rssMbAfterRun === null ? 'n/a' : fixed(results.rssMbAfterRun, 1)} MB`,
  );
  if (results.cpuProfile) lines.push(`CPU profile of the service: ${results.cpuProfile}`);
  lines.push('');
  if (results.problems.length === 0) {
    lines.push('Errors: none (every answer of every phase was 2xx, no connection errors).');
  } else {
    lines.push('Errors during the phases (reported, not hidden):');
    for (const problem of results.problems) lines.push(`  - ${problem}`);
  }
  lines.push('');
  lines.push('Targets (measured, not asserted):');
  lines.push(
    table(
      [
        ['target', 'goal', 'measured', 'met'],
        ...results.targets.map((target) => [target.name, target.goal, target.measured, MARK(target.met)]),
      ],
      true,
    ),
  );
  return lines.join('\n');
}

/** The performance targets, measured and marked, never asserted. */
export function evaluateTargets(results: Results): Target[] {
  const byKey = (key: EndpointKey) => results.endpoints.find((endpoint) => endpoint.key === key)!;
  const postgres = results.settings.database === 'postgres';
  /** An endpoint's req/s against the glue's, or n/a without the glue (SQLite). */
  const toGlue = (key: EndpointKey, goal: number): Target => {
    const endpoint = byKey(key);
    const ratio = endpoint.ratioToGlue;
    return {
      name: `${endpoint.method} ${endpoint.path} throughput`,
      goal: `≥ ${goal.toFixed(1)} × glue`,
      measured: endpoint.glue ? `${ratio.toFixed(2)} × glue` : 'no glue (SQLite)',
      met: endpoint.glue ? Number(ratio.toFixed(2)) >= goal : null,
    };
  };
  const me = byKey('me');
  const latencyAdded = results.latency.endpoints
    .filter((endpoint) => endpoint.glue)
    .map((endpoint) => ({ key: endpoint.key, ms: endpoint.p50DifferenceMs }));
  const latencyErrors = results.latency.endpoints.reduce(
    (sum, endpoint) =>
      sum +
      endpoint.service.non2xx +
      endpoint.service.errors +
      (endpoint.glue ? endpoint.glue.non2xx + endpoint.glue.errors : 0),
    0,
  );
  const worstAdded = latencyAdded.length > 0 ? Math.max(...latencyAdded.map((entry) => entry.ms)) : null;
  return [
    toGlue('me', 1.0),
    {
      name: `${me.method} ${me.path} p99`,
      goal: '< 10 ms',
      measured: `${me.service.p99Ms} ms`,
      met: me.service.p99Ms < 10,
    },
    toGlue('portal', 0.7),
    toGlue('sessions', 0.6),
    toGlue('checkout', 0.6),
    {
      name: 'webhook intake',
      goal: '≥ 5,000 events/s on PostgreSQL',
      measured: `${results.webhooks.appliedPerSec.toFixed(0)} events/s${postgres ? '' : ' (SQLite: target not applicable)'}`,
      met: postgres ? results.webhooks.appliedPerSec >= 5_000 : null,
    },
    {
      name: `added p50 with a ${results.latency.upstreamDelayMs} ms provider, ${results.latency.connections} connections`,
      goal: '≤ 2 ms over the glue, no errors',
      measured:
        worstAdded === null
          ? 'no glue (SQLite)'
          : `${latencyAdded.map((entry) => `${entry.key} ${entry.ms.toFixed(0)} ms`).join(', ')}; ${latencyErrors} errors`,
      met: worstAdded === null ? null : worstAdded <= 2 && latencyErrors === 0,
    },
    {
      name: 'start to healthy',
      goal: '< 1 s',
      measured: `${results.startup.medianMs.toFixed(0)} ms`,
      met: results.startup.medianMs < 1_000,
    },
    {
      name: 'resident memory after the run',
      goal: '< 150 MB',
      measured: results.rssMbAfterRun === null ? 'n/a' : `${results.rssMbAfterRun.toFixed(1)} MB`,
      met: results.rssMbAfterRun === null ? null : results.rssMbAfterRun < 150,
    },
  ];
}
