import { ErrorCode } from '../errors/error-code';
import { familyPath, presentError } from './error-presenters';

describe(presentError.name, () => {
  const problem = { status: 400, code: ErrorCode.BAD_REQUEST, message: 'priceId is required' };
  const envelope = { success: false, error: { code: 'BAD_REQUEST', message: 'priceId is required' } };
  const simple = { error: 'priceId is required' };

  it('should choose the shape by the route that matched, not by how the URL spelled it', () => {
    expect(
      presentError(
        { url: '/api/%62illing/checkout', routeOptions: { url: '/api/billing/checkout' } },
        problem,
      ),
    ).toEqual(envelope);
    expect(
      presentError({ url: '/api/billing/checkout', routeOptions: { url: '/api/subscriptions/me' } }, problem),
    ).toEqual(simple);
  });

  it.each([
    ['/api/billing', envelope],
    ['/api/billing?testMode=true', envelope],
    ['/api/billing/anything', envelope],
    ['/api/%62illing/anything', envelope],
    ['/api%2Fbilling/anything', envelope],
    ['/api/billing-like', simple],
    ['/api/billingx/checkout', simple],
    ['/API/billing/checkout', simple],
    ['/api/subscriptions/sessions', simple],
  ])('should choose the shape of an unmatched %s by its decoded path', (url, expected) => {
    expect(presentError({ url }, problem)).toEqual(expected);
  });
});

describe(familyPath.name, () => {
  it('should decode each segment it can, and keep a malformed one as written', () => {
    expect(familyPath({ url: '/api/%62illing/%zz/%E2%82%AC?x=%62' })).toBe('/api/billing/%zz/€');
  });
});
