import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FixedWindowStorage } from '../rate-limit/fixed-window.storage';
import { RateLimitStorage } from '../rate-limit/rate-limit.storage';
import { WebhookRefusals } from './webhook-refusals';

const LIMIT = 3;

describe(WebhookRefusals.name, () => {
  let storage: FixedWindowStorage;
  let warn: jest.SpyInstance;
  let sut: WebhookRefusals;

  beforeEach(() => {
    jest.useFakeTimers();
    storage = new FixedWindowStorage();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    sut = new WebhookRefusals(
      storage as unknown as RateLimitStorage,
      { rateLimitPerMinute: LIMIT } as AppConfig,
    );
  });

  afterEach(() => {
    sut.onApplicationShutdown();
    storage.close();
    warn.mockRestore();
    jest.useRealTimers();
  });

  const messages = () => warn.mock.calls.map(([fields, message]) => ({ fields: fields as unknown, message }));

  it('should let an address be refused up to the limit, then say for how long it is over it', async () => {
    const verdicts = [];
    for (let i = 0; i < LIMIT + 2; i++) verdicts.push(await sut.record('203.0.113.1', 'bad signature'));

    expect(verdicts.map((verdict) => verdict.limitedForSeconds > 0)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(verdicts[LIMIT].limitedForSeconds).toBeLessThanOrEqual(60);
    await expect(sut.record('198.51.100.2', 'bad signature')).resolves.toMatchObject({
      limitedForSeconds: 0,
    });
  });

  it('should log the first refusal of each address and sum up the rest when the minute is over', async () => {
    for (let i = 0; i < 50; i++) await sut.record('203.0.113.1', i === 0 ? 'first reason' : 'later reason');
    await sut.record('198.51.100.2', 'other reason');

    expect(messages()).toEqual([
      { fields: { ip: '203.0.113.1', reason: 'first reason' }, message: 'webhook refused' },
      { fields: { ip: '198.51.100.2', reason: 'other reason' }, message: 'webhook refused' },
    ]);

    jest.advanceTimersByTime(60_000);

    expect(messages().slice(2)).toEqual([
      {
        fields: { ip: '203.0.113.1', refused: 50, limited: 50 - LIMIT },
        message: 'webhooks refused since the last summary',
      },
    ]);
  });

  it('should say which refusals it logged, so that their request lines can be left out too', async () => {
    const first = await sut.record('203.0.113.1', 'reason');
    const second = await sut.record('203.0.113.1', 'reason');
    jest.advanceTimersByTime(60_000);
    const nextMinute = await sut.record('203.0.113.1', 'reason');

    expect([first.logged, second.logged, nextMinute.logged]).toEqual([true, false, true]);
  });

  it('should sum up what is left when the application shuts down', async () => {
    await sut.record('203.0.113.1', 'reason');
    await sut.record('203.0.113.1', 'reason');

    sut.onApplicationShutdown();

    expect(messages().at(-1)).toEqual({
      fields: { ip: '203.0.113.1', refused: 2, limited: 0 },
      message: 'webhooks refused since the last summary',
    });
  });
});
