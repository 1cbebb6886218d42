import { registerDecorator, ValidationOptions } from 'class-validator';

/** Stripe's metadata limits. */
export const METADATA_LIMITS = { maxKeys: 50, maxKeyLength: 40, maxValueLength: 500 } as const;

/** Keys the service writes itself; the caller's values for them are replaced. */
export const SERVICE_METADATA_KEYS = ['accountId'] as const;

export function metadataProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'metadata must be an object of string values';
  }
  const entries = Object.entries(value);
  const keys = new Set([...entries.map(([key]) => key), ...SERVICE_METADATA_KEYS]);
  if (keys.size > METADATA_LIMITS.maxKeys) {
    return `metadata can have at most ${METADATA_LIMITS.maxKeys} keys, including the service's own accountId`;
  }
  for (const [key, item] of entries) {
    if (key.length === 0 || key.length > METADATA_LIMITS.maxKeyLength) {
      return `metadata keys must be 1 to ${METADATA_LIMITS.maxKeyLength} characters long`;
    }
    if (/[[\]]/.test(key)) return 'metadata keys cannot contain square brackets';
    if (typeof item !== 'string') return 'metadata values must be strings';
    if (item.length > METADATA_LIMITS.maxValueLength) {
      return `metadata values must be at most ${METADATA_LIMITS.maxValueLength} characters long`;
    }
  }
  return null;
}

export function IsProviderMetadata(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isProviderMetadata',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => metadataProblem(value) === null,
        defaultMessage: (args) => metadataProblem(args?.value) ?? 'metadata is invalid',
      },
    });
}

/** The caller's metadata with the service's own keys on top. */
export function mergeMetadata(caller: Record<string, string> | undefined, own: Record<string, string>) {
  return { ...(caller ?? {}), ...own };
}
