import autocannon from 'autocannon';

/** One request of a load phase: what varies from request to request. */
export interface NextRequest {
  headers: Record<string, string>;
  body: string;
  /** Another path than the phase's (a confirm names its checkout in the path). */
  path?: string;
}

export interface LoadSpec {
  url: string;
  /** POST unless told (GET: `body` is '' and no body is sent). */
  method?: 'GET' | 'POST';
  path: string;
  connections: number;
  durationS: number;
  /** Called once per request sent; returns null when it has nothing left to send. */
  next: () => NextRequest | null;
  /**
   * Stop after this many requests even if the time is not up (warm-ups, confirms). autocannon
   * shares them out among the connections and builds each request only when it sends it, so
   * `next` runs exactly this many times (with no more connections than requests).
   */
  maxRequests?: number;
  /**
   * Phases that end on their count (`maxRequests`): time the phase from its start to its last
   * answer, not to the next 100 ms sample after it, which would weigh on a phase of a second.
   */
  timeToLastAnswer?: boolean;
}

/** What autocannon saw in one phase. Throughput counts 2xx answers only. */
export interface LoadResult {
  /** Requests written to the server, answered or not when the phase ended. */
  sent: number;
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  durationS: number;
  /** 2xx answers per second. */
  reqPerSec: number;
  /** Latencies of 2xx answers (autocannon's histogram has 1 ms resolution). */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** `next` ran dry during the phase (the caller decides whether that is a failure). */
  exhausted: boolean;
  /** Service phases: CPU the service used, in % of one core over the phase (not a target). */
  serviceCpuPercent?: number;
  /**
   * CPU time per request sent, in ms, from the phase's start to the end of the settle pause after
   * it (when the requests still in flight then have been answered): `server`, the process under
   * load (the service, the glue or the bare baseline); `postgres`, every PostgreSQL process of
   * the machine together. Set by the orchestrator; null where /proc could not be read.
   */
  cpuMsPerRequest?: { server: number | null; postgres: number | null };
}

/**
 * Drives `spec.method spec.path` (POST by default; or each request's own path) with autocannon:
 * `spec.connections` keep-alive connections, each sending its next request as soon as the
 * previous one is answered, for `spec.durationS`.
 * Every request is built by `spec.next()` (autocannon's `setupRequest`), so each one can carry
 * another API key or another webhook event.
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let exhausted = false;
  let last: NextRequest | null = null;
  let instance: autocannon.Instance | undefined;
  // autocannon gives a connection with no share of maxOverallRequests no limit at all.
  const connections =
    spec.maxRequests === undefined ? spec.connections : Math.min(spec.connections, spec.maxRequests);
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  return new Promise((resolve, reject) => {
    instance = autocannon(
      {
        url: spec.url,
        connections,
        duration: spec.durationS,
        timeout: 30,
        // autocannon checks whether to stop once per sample: 100 ms keeps phases close to their
        // duration (the default, 1 s, rounds every phase up to whole seconds).
        sampleInt: 100,
        ...(spec.maxRequests === undefined ? {} : { maxOverallRequests: spec.maxRequests }),
        requests: [
          {
            method: spec.method ?? 'POST',
            path: spec.path,
            setupRequest: (request) => {
              const next = spec.next();
              if (next === null && !exhausted) {
                exhausted = true;
                // Finish the phase now; the requests still to be sent repeat the last one.
                setImmediate(() => instance?.stop());
              }
              last = next ?? last;
              if (!last) throw new Error('the load phase has no request to send');
              return { ...request, path: last.path ?? spec.path, headers: last.headers, body: last.body };
            },
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) return reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        const summary = summarize(result, exhausted);
        if (spec.timeToLastAnswer && summary.ok > 0) {
          summary.durationS = (lastAnswerAt - startedAt) / 1000;
          summary.reqPerSec = summary.ok / summary.durationS;
        }
        resolve(summary);
      },
    );
    if (spec.timeToLastAnswer) instance.on('response', () => (lastAnswerAt = performance.now()));
  });
}

function summarize(result: autocannon.Result, exhausted: boolean): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  const ok = result['2xx'];
  const durationS = result.duration > 0 ? result.duration : 1;
  return {
    sent: result.requests.sent,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
    durationS,
    reqPerSec: ok / durationS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.mean,
    exhausted,
  };
}
