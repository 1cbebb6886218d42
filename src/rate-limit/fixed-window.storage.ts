import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

interface Window {
  hits: number;
  resetAt: number;
  blockedUntil: number;
}

const SWEEP_INTERVAL_MS = 60_000;
/**
 * Counters kept at most. Beyond it (many distinct callers within a minute, say someone spraying
 * invented keys) the oldest windows are dropped: their callers start counting afresh, and memory
 * stays bounded.
 */
export const MAX_WINDOWS = 100_000;

/**
 * An in-process counter per key and window, with the same semantics as the Redis storage
 * (a fixed window, then a block). @nestjs/throttler's own in-memory storage keeps one entry per
 * hit and scans them on every request, which costs O(limit) per request at high limits.
 */
export class FixedWindowStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();

  increment(key: string, ttl: number, limit: number, blockDuration: number, name: string) {
    const now = Date.now();
    const id = `${name}:${key}`;
    let window = this.windows.get(id);
    if (!window || (window.resetAt <= now && window.blockedUntil <= now)) {
      window = { hits: 0, resetAt: now + ttl, blockedUntil: 0 };
      this.windows.delete(id);
      if (this.windows.size >= MAX_WINDOWS) this.makeRoom(now);
      this.windows.set(id, window);
    }
    window.hits++;
    if (window.blockedUntil <= now && window.hits > limit) window.blockedUntil = now + blockDuration;
    const record: ThrottlerStorageRecord = {
      totalHits: window.hits,
      timeToExpire: Math.max(0, Math.ceil((window.resetAt - now) / 1000)),
      isBlocked: window.blockedUntil > now,
      timeToBlockExpire: Math.max(0, Math.ceil((window.blockedUntil - now) / 1000)),
    };
    return Promise.resolve(record);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  private makeRoom(now: number): void {
    this.sweep(now);
    // Still full: drop the oldest windows (a Map iterates in insertion order).
    for (const id of this.windows.keys()) {
      if (this.windows.size < MAX_WINDOWS * 0.9) break;
      this.windows.delete(id);
    }
  }

  private sweep(now = Date.now()): void {
    for (const [id, window] of this.windows) {
      if (window.resetAt <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
  }
}
