import { sql } from 'kysely';
import { useStripeApp } from './support/stripe-app';
import { APP_ORIGIN, createAccount, SUBSCRIPTION_PRICE } from './support/test-app';

describe('Idempotency-Key (guarantee 7)', () => {
  const { fake, sut, account } = useStripeApp({
    prices: [{ id: SUBSCRIPTION_PRICE }, { id: 'price_once', type: 'one_time' }],
    perTest: true,
  });
  let counter = 0;

  beforeEach(() => {
    fake.delayMs = 0;
  });

  const key = () => `key-${++counter}-${Date.now()}`;
  const checkout = (idempotencyKey: string, body: Record<string, unknown>, apiKey = account.apiKey) =>
    sut
      .http()
      .post('/api/billing/checkout')
      .set('x-api-key', apiKey)
      .set('idempotency-key', idempotencyKey)
      .send({
        priceId: 'price_once',
        mode: 'payment',
        successUrl: `${APP_ORIGIN}/ok`,
        cancelUrl: APP_ORIGIN,
        ...body,
      });

  it('should replay the first answer for the same body, without calling the provider again', async () => {
    const idempotencyKey = key();
    const first = await checkout(idempotencyKey, { quantity: 2 }).expect(200);
    await sut.db.changes(sql`UPDATE checkout_sessions SET status = 'complete'`);

    const second = await checkout(idempotencyKey, { quantity: 2 }).expect(200);

    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(fake.received('POST', '/v1/checkout/sessions')).toHaveLength(1);
  });

  it('should treat bodies that differ only in key order as the same', async () => {
    const idempotencyKey = key();
    await checkout(idempotencyKey, { quantity: 2, metadata: { a: '1', b: '2' } }).expect(200);

    await checkout(idempotencyKey, { metadata: { b: '2', a: '1' }, quantity: 2 }).expect(200);
  });

  it('should refuse the same key with another body: 422 in the endpoint’s own shape', async () => {
    const idempotencyKey = key();
    await checkout(idempotencyKey, { quantity: 2 }).expect(200);

    const billing = await checkout(idempotencyKey, { quantity: 3 }).expect(422);
    const sessions = await sut
      .http()
      .post('/api/subscriptions/sessions')
      .set('x-api-key', account.apiKey)
      .set('idempotency-key', idempotencyKey)
      .send({ successUrl: `${APP_ORIGIN}/ok` })
      .expect(422);

    expect(billing.body).toEqual({
      success: false,
      error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringContaining('Idempotency-Key') },
    });
    expect(sessions.body).toEqual({ error: expect.stringContaining('Idempotency-Key') });
    expect(fake.received('POST', '/v1/checkout/sessions')).toHaveLength(1);
  });

  it('should call the provider once for two concurrent requests with one key', async () => {
    fake.delayMs = 150;
    const idempotencyKey = key();

    const [a, b] = await Promise.all([checkout(idempotencyKey, {}), checkout(idempotencyKey, {})]);

    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(fake.received('POST', '/v1/checkout/sessions')).toHaveLength(1);
    expect(fake.received('POST', '/v1/customers')).toHaveLength(1);
  });

  it('should keep keys apart per account', async () => {
    const other = await createAccount(sut);
    const idempotencyKey = key();

    const mine = await checkout(idempotencyKey, {}).expect(200);
    const theirs = await checkout(idempotencyKey, {}, other.apiKey).expect(200);

    expect(theirs.body.data.sessionId).not.toBe(mine.body.data.sessionId);
  });

  it('should not keep an error, so the request can be retried with the same key', async () => {
    const idempotencyKey = key();
    fake.injectFault({ kind: 'status', status: 400 }, { path: /checkout\/sessions/ });

    await checkout(idempotencyKey, {}).expect(502);
    const retried = await checkout(idempotencyKey, {}).expect(200);

    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    const rows = await sut.db.rows(sql`SELECT key FROM idempotency_keys WHERE key = ${idempotencyKey}`);
    expect(rows).toHaveLength(1);
  });

  it('should refuse a key that is not 1 to 255 visible characters', async () => {
    await checkout('x'.repeat(256), {}).expect(400);
    await checkout('', {}).expect(400);
    expect(fake.received('POST', /.*/)).toHaveLength(0);
  });
});
