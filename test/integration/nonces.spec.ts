import { NonceStore } from '../../src/db/nonce-store';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';

const MINUTE = 60_000;

/** HMAC nonces: issued without the database, redeemed once by any instance, refused when forged or expired. */
describe('nonces', () => {
  let fx: PgStoreFixture;

  beforeAll(async () => {
    fx = await createPgStore('nonces');
  });
  afterAll(async () => {
    await fx.dispose();
  });

  async function instance(keyReloadMs = 5_000): Promise<NonceStore> {
    const n = new NonceStore(fx.pool, 10 * MINUTE, keyReloadMs);
    await n.start();
    return n;
  }

  test('a nonce issued by one instance is redeemed once by another', async () => {
    const a = await instance();
    const b = await instance();
    const nonce = a.issue();
    expect(await b.consume(nonce)).toBe(true);
    expect(await a.consume(nonce)).toBe(false);
    expect(await b.consume(nonce)).toBe(false);
  });

  test('forged, malformed and expired nonces are refused without a row', async () => {
    const a = await instance();
    const before = Number((await fx.pool.query('SELECT count(*) FROM acme_redeemed_nonces')).rows[0].count);
    const good = a.issue();
    const raw = Buffer.from(good, 'base64url');
    raw[20] ^= 0xff; // a changed MAC
    expect(await a.consume(raw.toString('base64url'))).toBe(false);
    const later = Buffer.from(good, 'base64url');
    later[7] ^= 0x01; // a changed expiry under the old MAC
    expect(await a.consume(later.toString('base64url'))).toBe(false);
    expect(await a.consume('not-a-nonce')).toBe(false);
    expect(await a.consume(good, Date.now() + 11 * MINUTE)).toBe(false);
    expect(Number((await fx.pool.query('SELECT count(*) FROM acme_redeemed_nonces')).rows[0].count)).toBe(before);
    expect(await a.consume(good)).toBe(true);
  });

  test('a crash that empties the redeemed set rotates the key: earlier nonces stay refused', async () => {
    const a = await instance(0);
    const issuedBefore = a.issue();
    const redeemedBefore = a.issue();
    expect(await a.consume(redeemedBefore)).toBe(true);
    // What crash recovery does to an UNLOGGED table.
    await fx.pool.query('TRUNCATE acme_redeemed_nonces');
    const restarted = await instance();
    expect(await restarted.consume(redeemedBefore)).toBe(false);
    expect(await restarted.consume(issuedBefore)).toBe(false);
    const fresh = restarted.issue();
    // An instance that kept running picks the new key up when it meets a nonce it cannot check.
    expect(await a.consume(fresh)).toBe(true);
  });

  test('expired redeemed nonces are purged; the sentinel stays', async () => {
    const a = await instance();
    expect(await a.consume(a.issue())).toBe(true);
    const purged = await a.purgeExpired(100, new Date(Date.now() + 11 * MINUTE));
    expect(purged).toBeGreaterThan(0);
    const left = (await fx.pool.query('SELECT nonce FROM acme_redeemed_nonces')).rows.map((r) => r.nonce);
    expect(left).toEqual(['key-current']);
  });
});
