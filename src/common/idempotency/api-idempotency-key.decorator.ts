import { ApiHeader } from '@nestjs/swagger';

/** Documents the optional `Idempotency-Key` header that every POST of the API takes. */
export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Makes a retry safe: the first successful answer is kept for 24 hours for this account and key and ' +
      'replayed for the same request (with `Idempotent-Replayed: true`); the same key with another request ' +
      'gets 422. An error answer is not kept.',
    schema: { type: 'string', maxLength: 255 },
  });
