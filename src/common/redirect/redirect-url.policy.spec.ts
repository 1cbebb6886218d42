import { loadConfig } from '../../config/load-config';
import { BadRequestError } from '../errors/domain-errors';
import { RedirectUrlPolicy } from './redirect-url.policy';

describe(RedirectUrlPolicy.name, () => {
  it('should allow only http://localhost on any port when ALLOWED_REDIRECT_ORIGINS is not set', () => {
    const sut = new RedirectUrlPolicy(loadConfig({}));

    expect(() => sut.assertAllowed('successUrl', 'http://localhost:5173/welcome')).not.toThrow();
    expect(() => sut.assertAllowed('successUrl', 'http://localhost/welcome')).not.toThrow();
    for (const url of ['https://localhost/welcome', 'http://127.0.0.1:5173/', 'https://app.example.com/']) {
      expect(() => sut.assertAllowed('successUrl', url)).toThrow(BadRequestError);
    }
    expect(() => sut.assertAllowed('successUrl', 'https://app.example.com/')).toThrow(
      'successUrl is not on an allowed origin (http://localhost:*); set ALLOWED_REDIRECT_ORIGINS to allow others',
    );
  });

  it('should name the first few allowed origins and count the rest', () => {
    const origins = Array.from({ length: 7 }, (_, index) => `https://app${index}.example.com`);
    const sut = new RedirectUrlPolicy(loadConfig({ ALLOWED_REDIRECT_ORIGINS: origins.join(',') }));

    expect(() => sut.assertAllowed('successUrl', 'https://evil.example.net/')).toThrow(
      // Seven of the operator's, and the service's own (the sandbox's landing page).
      `successUrl is not on an allowed origin (${origins.slice(0, 5).join(', ')} and 3 more); ` +
        'set ALLOWED_REDIRECT_ORIGINS to allow others',
    );
  });

  it("should allow the service's own origin (PUBLIC_URL) with the sandbox provider, whatever the list says", () => {
    const env = {
      ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com',
      PUBLIC_URL: 'https://billing.example.com/',
    };
    const sandbox = new RedirectUrlPolicy(loadConfig({ ...env, PAYMENT_PROVIDER: 'sandbox' }));
    const stripe = new RedirectUrlPolicy(
      loadConfig({
        ...env,
        STRIPE_SECRET_KEY: 'sk_test_abc',
        STRIPE_WEBHOOK_SECRET: 'whsec_abc',
        SUBSCRIPTION_PRICE_ID: 'price_abc',
      }),
    );
    const landing = 'https://billing.example.com/sandbox/return?checkout=success';

    expect(sandbox.assertAllowed('successUrl', landing)).toBe(landing);
    expect(() => sandbox.assertAllowed('successUrl', 'https://billing.example.com:8443/')).toThrow(
      BadRequestError,
    );
    expect(() => sandbox.assertAllowed('successUrl', 'http://billing.example.com/')).toThrow(BadRequestError);
    expect(() => stripe.assertAllowed('successUrl', landing)).toThrow(BadRequestError);
  });

  it('should name the field and the reason', () => {
    const sut = new RedirectUrlPolicy(loadConfig({ ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com' }));

    expect(() => sut.assertAllowed('cancelUrl', 'https://evil.example.net/')).toThrow(
      'cancelUrl is not on an allowed origin (https://app.example.com, http://localhost:3000); set ALLOWED_REDIRECT_ORIGINS to allow others',
    );
    expect(() => sut.assertAllowed('returnUrl', '/relative')).toThrow(
      'returnUrl must be an absolute http(s) URL',
    );
  });

  it('should judge and return the normalised URL, the one a browser follows', () => {
    const sut = new RedirectUrlPolicy(loadConfig({ ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com' }));

    expect(sut.assertAllowed('successUrl', 'https://app.example.com\\@evil.example/é')).toBe(
      'https://app.example.com/@evil.example/%C3%A9',
    );
    expect(() => sut.assertAllowed('successUrl', 'https://evil.example\\@app.example.com/')).toThrow(
      'successUrl is not on an allowed origin (https://app.example.com, http://localhost:3000); set ALLOWED_REDIRECT_ORIGINS to allow others',
    );
  });
});
