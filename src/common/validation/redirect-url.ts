import { registerDecorator, ValidationOptions } from 'class-validator';

export const MAX_URL_LENGTH = 2048;

/**
 * An absolute http(s) URL with a host and no credentials in it. The text itself (not a
 * normalised form) is what reaches the provider, so `{CHECKOUT_SESSION_ID}` stays intact.
 */
export function parseAbsoluteHttpUrl(value: unknown): URL | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '' || url.hostname === '') return null;
  return url;
}

export function IsAbsoluteHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAbsoluteHttpUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an absolute http(s) URL`,
        ...options,
      },
      validator: { validate: (value: unknown) => parseAbsoluteHttpUrl(value) !== null },
    });
}
