import fc from 'fast-check';
import { APP_ORIGIN } from '../../support/test-app';
import { MAX_URL_LENGTH, URL_FORBIDDEN_CHARS } from './contract';

// --- An independent oracle for redirect URLs (guarantee 5, with this suite's config) ------------

/**
 * Whether the text is a redirect URL the service must accept: at most 2048 characters, no
 * whitespace or control characters, an absolute http(s) URL without credentials, on
 * ALLOWED_REDIRECT_ORIGINS = https://app.example.com, http://localhost:* (test-app.ts).
 * The URL poisons are filtered through it, so that none of them can be a valid URL by accident.
 */
export function isAcceptableRedirect(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what is checked
  if (text.length === 0 || text.length > MAX_URL_LENGTH || /[\s\u0000-\u001f\u007f]/.test(text)) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.hostname === '') return false;
  if (url.protocol === 'https:') return url.hostname === 'app.example.com' && url.port === '';
  if (url.protocol === 'http:') return url.hostname === 'localhost';
  return false;
}

// --- Redirect URLs ---------------------------------------------------------------------------

export const ALLOWED_BASES = [
  APP_ORIGIN,
  'http://localhost:3000',
  'http://localhost:5173',
  'http://localhost',
];
export const urlPath = fc.stringMatching(/^(\/[A-Za-z0-9._~-]{0,12}){0,3}(\?[a-z]{1,6}=[A-Za-z0-9]{0,8})?$/);
/** Redirect URLs the service accepts (noise: valid values for the URL fields). */
export const goodUrl: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...ALLOWED_BASES), urlPath, fc.boolean())
  .map(([base, path, placeholder]) => {
    const url = `${base}${path.startsWith('/') ? path : `/${path}`}`;
    return placeholder ? `${url}${url.includes('?') ? '&' : '?'}session_id={CHECKOUT_SESSION_ID}` : url;
  })
  .filter(isAcceptableRedirect);

export const userInfoPart = fc.stringMatching(/^[a-z0-9]{1,8}$/);
/**
 * Redirect URLs the service must refuse. Every branch is filtered through isAcceptableRedirect,
 * so that (for instance) `https:app.example.com`, which WHATWG URL reads as the allowed origin,
 * can never slip in as a "bad" value.
 */
export const badUrl: fc.Arbitrary<string> = fc
  .oneof(
    // Other schemes: javascript:, data:, vbscript:, file: and friends, in any case.
    fc
      .tuple(
        fc.constantFrom(
          'javascript:',
          'JaVaScRiPt:',
          'javascript://app.example.com/%0A',
          'data:',
          'data:text/html;base64,',
          'vbscript:',
          'file://',
          'file:///',
          'ftp://',
          'blob:https://app.example.com/',
          'about:',
          'mailto:',
          'ws://',
          'wss://',
          'intent://',
          'jar:',
          'tel:',
        ),
        fc.string({ maxLength: 40 }),
      )
      .map(([scheme, rest]) => scheme + rest),
    // Credentials in an otherwise allowed URL.
    fc
      .tuple(
        fc.constantFrom(...ALLOWED_BASES),
        userInfoPart,
        userInfoPart,
        fc.constantFrom('user:pass', 'user', ':pass'),
        urlPath,
      )
      .map(([base, user, pass, form, path]) => {
        const info = form === 'user:pass' ? `${user}:${pass}` : form === 'user' ? user : `:${pass}`;
        return base.replace('://', `://${info}@`) + path;
      }),
    // A whitespace or control character anywhere in an allowed URL.
    fc
      .tuple(goodUrl, fc.nat(), fc.constantFrom(...URL_FORBIDDEN_CHARS))
      .map(
        ([url, at, char]) => url.slice(0, at % (url.length + 1)) + char + url.slice(at % (url.length + 1)),
      ),
    // Origins that ALLOWED_REDIRECT_ORIGINS does not list.
    fc
      .tuple(
        fc.constantFrom('http', 'https'),
        fc.domain(),
        fc.option(fc.integer({ min: 1, max: 65535 })),
        urlPath,
      )
      .map(([scheme, host, port, path]) => `${scheme}://${host}${port === null ? '' : `:${port}`}${path}`),
    fc
      .tuple(
        fc.constantFrom(
          'http://app.example.com',
          'https://localhost',
          'https://app.example.com.evil.example',
          'https://evil.app.example.com',
          'https://evil.example#@app.example.com',
          'https://evil.example\\@app.example.com',
          'http://localhost.evil.example',
          'http://127.0.0.1:3000',
          'http://[::1]:3000',
          'http://0x7f.1',
          'http://2130706433',
          'https://\u0430pp.example.com',
          'https://app.example.com:8443',
          'https://app.example.com.',
        ),
        urlPath,
      )
      .map(([origin, path]) => origin + path),
    fc.integer({ min: 1, max: 65535 }).map((port) => `https://app.example.com:${port}/`),
    // Relative, protocol-relative, scheme-less, host-less and empty.
    fc.constantFrom(
      '',
      '/dashboard',
      '//evil.example/x',
      'app.example.com/x',
      '?checkout=success',
      '#done',
      '.',
      '..',
      'https://',
      'http://:80/',
      'https://@/',
      'http://[/',
      'https://%zz/',
      '\\\\evil.example\\x',
    ),
    // Longer than 2048 characters.
    fc
      .integer({ min: MAX_URL_LENGTH + 1, max: 6_000 })
      .map((length) => `${APP_ORIGIN}/${'a'.repeat(length)}`),
  )
  .filter((url) => !isAcceptableRedirect(url));
