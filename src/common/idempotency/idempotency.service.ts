import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { underLease } from '../concurrency/lease';
import {
  BadRequestError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
} from '../errors/domain-errors';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');

export interface IdempotencyOptions {
  /**
   * How long a request holds its key while it runs: a second request with the key waits for it
   * that long, and takes the key over once the lease has run out (the request died).
   */
  leaseMs: number;
}

export interface IdempotentRequest {
  accountId: string;
  key: unknown;
  /** Everything that makes two requests "the same": method, path, query, acting account, body. */
  fingerprint: unknown;
}

export interface IdempotentResult {
  body: unknown;
  replayed: boolean;
}

/**
 * `Idempotency-Key` on a POST (docs/guarantees.md#g7): the first successful answer is kept for 24 hours
 * per account and key and replayed for the same request; the same key with another request is
 * refused (422). Two requests with one key at the same time run once: the second waits for the
 * first. An error answer is not kept, so the request can be retried with the same key.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyService.name);
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly records: IdempotencyRepository,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
  ) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      this.records
        .purgeExpired(new Date())
        .catch((error: unknown) => this.logger.warn({ err: error }, 'purge failed'));
    }, PURGE_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
  }

  async run(request: IdempotentRequest, execute: () => Promise<unknown>): Promise<IdempotentResult> {
    const key = request.key;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new BadRequestError('Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const hash = fingerprintHash(request.fingerprint);
    const { accountId } = request;
    const run = async () => ({ body: await this.answer(accountId, key, execute), replayed: false });
    return underLease<IdempotentResult>({
      claim: async () =>
        (await this.records.claim(accountId, key, hash, this.leaseUntil(), expiry())) ? run : undefined,
      inspect: async () => {
        const entry = await this.records.find(accountId, key);
        if (!entry) return { gone: true };
        if (entry.expiresAt.getTime() <= Date.now()) {
          return { clear: () => this.records.release(accountId, key, { expiredBy: new Date() }) };
        }
        if (entry.requestHash !== hash) throw new IdempotencyKeyReusedError();
        if (entry.responseStatus !== null)
          return { done: { body: JSON.parse(entry.responseBody ?? 'null'), replayed: true } };
        return {
          held: {
            leaseUntil: entry.leaseUntil,
            takeOver: async () =>
              (await this.records.takeOver(accountId, key, entry.leaseUntil!, this.leaseUntil()))
                ? run
                : undefined,
          },
        };
      },
      deadline: Date.now() + this.options.leaseMs,
      timeout: () => new IdempotencyKeyInUseError(),
    });
  }

  private leaseUntil(): Date {
    return new Date(Date.now() + this.options.leaseMs);
  }

  private async answer(accountId: string, key: string, execute: () => Promise<unknown>): Promise<unknown> {
    let body: unknown;
    try {
      body = await execute();
    } catch (error) {
      await this.records.release(accountId, key, { unanswered: true }).catch(() => undefined);
      throw error;
    }
    await this.records.complete(accountId, key, 200, JSON.stringify(body ?? null));
    return body;
  }
}

const expiry = () => new Date(Date.now() + IDEMPOTENCY_TTL_MS);

export function fingerprintHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** JSON with object keys sorted, so that key order does not make two bodies different. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
