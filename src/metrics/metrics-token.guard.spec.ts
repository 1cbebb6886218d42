import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { UnauthorizedError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { MetricsTokenGuard } from './metrics-token.guard';

const TOKEN = 'a-metrics-token-of-32-characters';

function contextWith(authorization?: string): ExecutionContextHost {
  const request = { headers: authorization === undefined ? {} : { authorization } };
  return new ExecutionContextHost([request, {}]);
}

describe(MetricsTokenGuard.name, () => {
  const sut = new MetricsTokenGuard({ metricsToken: TOKEN } as AppConfig);

  it('should let the configured bearer token through, however Bearer is spelled', () => {
    expect(sut.canActivate(contextWith(`Bearer ${TOKEN}`))).toBe(true);
    expect(sut.canActivate(contextWith(`bearer  ${TOKEN}`))).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty bearer', 'Bearer '],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 16)}`],
    ['the token and more', `Bearer ${TOKEN}x`],
    ['the token alone', TOKEN],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
  ])('should refuse %s with UnauthorizedError', (_name, authorization) => {
    expect(() => sut.canActivate(contextWith(authorization))).toThrow(UnauthorizedError);
  });

  it('should not be built without a token', () => {
    expect(() => new MetricsTokenGuard({} as AppConfig)).toThrow(/METRICS_TOKEN/);
  });
});
