import { Client } from 'pg';
import { NOTIFY_CHANNEL, PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';

const until = async (what: string, ok: () => boolean, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/**
 * Appends wake this process's subscribers directly and other processes through NOTIFY; the
 * notification an append sends comes back to this process too and must not wake it a second time.
 */
describe('append notifications', () => {
  let fx: PgStoreFixture;
  let observer: Client;
  const seen: string[] = [];

  beforeAll(async () => {
    fx = await createPgStore('eventstore-notify');
    observer = new Client({ connectionString: fx.db.url });
    await observer.connect();
    observer.on('notification', (n) => seen.push(n.payload ?? ''));
    await observer.query(`LISTEN ${NOTIFY_CHANNEL}`);
  }, 60_000);
  afterAll(async () => {
    await observer.end();
    await fx.dispose();
  });

  test("a local append wakes subscribers once; another process's notification wakes them", async () => {
    let wakes = 0;
    const stop = fx.store.onAppend(() => wakes++);
    try {
      // The store's LISTEN connection is up once a notification from elsewhere gets through.
      await observer.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, 'warm-up']);
      await until('the LISTEN connection', () => wakes > 0);
      wakes = 0;

      await fx.store.append('notify-1', [{ type: 'Probe', data: {} }], 'no_stream');
      expect(wakes).toBe(1); // at once, by the append itself
      await until('the append to be announced', () => seen.some((p) => p !== 'warm-up'));
      const own = seen.find((p) => p !== 'warm-up')!;
      // PostgreSQL delivered it to the store's LISTEN connection as it did to the observer's. A
      // wake-up from it would come within moments; a slow machine can only make this pass, never fail.
      const quietUntil = Date.now() + 500;
      await until('the quiet window', () => wakes > 1 || Date.now() > quietUntil);
      expect(wakes).toBe(1);

      await observer.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, 'another-process']);
      await until('the other process to be heard', () => wakes === 2);
      expect(own).not.toBe('another-process');
    } finally {
      stop();
    }
  }, 60_000);

  test('a store closed right after its append still announces it (a one-shot command)', async () => {
    const before = seen.length;
    const oneShot = new PostgresEventStore({ pool: fx.pool });
    await oneShot.append('notify-one-shot', [{ type: 'Probe', data: {} }], 'no_stream');
    await oneShot.close();
    await until('the append to be announced', () => seen.length > before);
  }, 60_000);
});
