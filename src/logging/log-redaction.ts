/** What a redacted value is replaced with, in headers, query strings and anywhere in a line. */
export const REDACTED = '[redacted]';

/**
 * Secrets by their shape: API keys of this service, JWTs, Stripe secret and restricted keys,
 * webhook signing secrets. A key that is malformed or truncated is still somebody's secret, so
 * the patterns ask for the prefix and take whatever token characters follow it.
 */
const SECRET_SHAPES: readonly RegExp[] = [
  /bsk_[A-Za-z0-9_-]+/g,
  /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)*/g,
  /(?<![A-Za-z0-9])(?:sk_live|sk_test|rk)_[A-Za-z0-9_]+/g,
  // Webhook secrets may hold base64's + / =, percent-encoded when they travel in a URL.
  /whsec_[A-Za-z0-9+/=%_-]+/g,
];

/** The sandbox's hosted pages open for whoever knows their URL: the id in it is a capability. */
const SANDBOX_PAGE = /(\/sandbox\/(?:checkout|portal)\/)[^/?#\s"\\]+/g;

const HINT = /bsk_|eyJ|sk_live|sk_test|rk_|whsec_|\/sandbox\//;

/** `text` with every secret-shaped part and every sandbox page id replaced by REDACTED. */
export function redactSecrets(text: string): string {
  if (!HINT.test(text)) return text;
  let redacted = text;
  for (const shape of SECRET_SHAPES) redacted = redacted.replace(shape, REDACTED);
  return redacted.replace(SANDBOX_PAGE, `$1${REDACTED}`);
}

/** Whether `text` holds anything redactSecrets would replace. */
export function containsSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}

/**
 * A request target with the value of every query parameter replaced by REDACTED and the names
 * kept: clients put credentials there (`?apiKey=`, `?access_token=`) whatever the API asks for.
 */
export function redactQuery(url: string): string {
  const start = url.indexOf('?');
  if (start < 0 || start === url.length - 1) return url;
  const parameters = url
    .slice(start + 1)
    .split('&')
    .map((parameter) => {
      const equals = parameter.indexOf('=');
      return equals < 0 ? parameter : `${parameter.slice(0, equals)}=${REDACTED}`;
    });
  return `${url.slice(0, start)}?${parameters.join('&')}`;
}
