import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Heartbeats share the revocation channel; a key id never starts like this. */
const PREFIX = 'heartbeat:';

/**
 * Whether a LISTEN connection is known to have heard every notification committed more than
 * `boundMs` ago. The listener's instance sends heartbeats (NOTIFY on the channel it listens to)
 * through another connection and hears them come back. PostgreSQL delivers notifications in commit
 * order, so hearing a heartbeat sent at time s proves that every notification committed before s
 * has been heard too: the listener is current while the newest heartbeat it heard was sent within
 * the bound. A connection that went silent (a partition nothing noticed, a server that stopped
 * delivering) stops being current `boundMs` after the last heartbeat it heard was sent.
 */
export class ListenerHeartbeat {
  private readonly instance = randomUUID();
  private readonly clock: () => number;
  private readonly boundMs: number;
  private seq = 0;
  /** Send times of the heartbeats not heard yet, by sequence number. */
  private readonly pending = new Map<number, number>();
  private newestHeardSentAt = -Infinity;

  constructor(options: { boundMs: number; clock?: () => number }) {
    this.boundMs = options.boundMs;
    // Monotonic: a wall clock stepped back would stretch the bound.
    this.clock = options.clock ?? (() => performance.now());
  }

  /** The payload of a heartbeat sent now (taken before the NOTIFY is sent, so before it commits). */
  next(): string {
    const now = this.clock();
    // A heartbeat that has not come back within the bound can prove nothing any more.
    for (const [seq, sentAt] of this.pending) {
      if (now - sentAt <= this.boundMs) break;
      this.pending.delete(seq);
    }
    this.seq += 1;
    this.pending.set(this.seq, now);
    return `${PREFIX}${this.instance}:${this.seq}`;
  }

  /** Takes a payload heard on the channel; true when it is a heartbeat (this instance's or another's). */
  hear(payload: string): boolean {
    if (!payload.startsWith(PREFIX)) return false;
    const [instance, seqText] = payload.slice(PREFIX.length).split(':');
    if (instance !== this.instance) return true;
    const seq = Number(seqText);
    const sentAt = this.pending.get(seq);
    if (sentAt === undefined) return true;
    // Delivered in order: the ones sent before it will not come any more.
    for (const earlier of this.pending.keys()) {
      if (earlier > seq) break;
      this.pending.delete(earlier);
    }
    this.newestHeardSentAt = Math.max(this.newestHeardSentAt, sentAt);
    return true;
  }

  isCurrent(): boolean {
    return this.silentForMs() <= this.boundMs;
  }

  /** Milliseconds since the newest heartbeat heard was sent (Infinity before the first). */
  silentForMs(): number {
    return this.clock() - this.newestHeardSentAt;
  }

  /** A new connection has heard nothing yet; heartbeats sent before it prove nothing about it. */
  reset(): void {
    this.pending.clear();
    this.newestHeardSentAt = -Infinity;
  }
}
