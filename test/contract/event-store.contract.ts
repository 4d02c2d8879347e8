import { randomUUID } from 'node:crypto';
import {
  type EventStore,
  type StoredEvent,
  START_POSITION,
  WrongExpectedRevisionError,
} from '../../src/eventstore/event-store';

/**
 * The behaviour every EventStore adapter must have. Each adapter's spec calls this with a factory
 * that returns a store over an empty, dedicated database.
 */
export interface ContractHarness {
  store: EventStore;
  /** Releases the store and its database. */
  dispose(): Promise<void>;
}

const ev = (type: string, data: unknown = {}) => ({ type, data });
const uniqueStream = (prefix = 'test') => `${prefix}-${randomUUID()}`;

export function eventStoreContract(adapterName: string, create: () => Promise<ContractHarness>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let h: ContractHarness;
    let store: EventStore;
    beforeAll(async () => {
      h = await create();
      store = h.store;
    });
    afterAll(async () => h.dispose());

    describe('append and read a stream', () => {
      test('a new stream starts at revision 0 and reads back in order with metadata', async () => {
        const s = uniqueStream();
        const meta = { correlationId: 'c1', causationId: 'c0', actor: 'account:1', sourceIp: '192.0.2.1', serverId: 'srv-1' };
        const r = await store.append(s, [{ ...ev('A', { n: 1 }), metadata: meta, schemaVersion: 2 }, ev('B', { n: 2 })], 'no_stream');
        expect(r.nextExpectedRevision).toBe(1);
        const events = await store.readStream(s);
        expect(events.map((e) => [e.type, e.streamPosition, e.data])).toEqual([
          ['A', 0, { n: 1 }],
          ['B', 1, { n: 2 }],
        ]);
        expect(events[0].metadata).toMatchObject(meta);
        expect(events[0].schemaVersion).toBe(2);
        expect(events[1].schemaVersion).toBe(1);
        expect(events[0].recordedAt).toBeInstanceOf(Date);
        expect(events[0].eventId).toMatch(/^[0-9a-f-]{36}$/);
        expect(await store.streamRevision(s)).toBe(1);
      });

      test('a missing stream reads as empty with revision -1', async () => {
        expect(await store.readStream(uniqueStream())).toEqual([]);
        expect(await store.streamRevision(uniqueStream())).toBe(-1);
      });

      test('readStream honours fromRevision and maxCount', async () => {
        const s = uniqueStream();
        await store.append(s, [ev('A'), ev('B'), ev('C'), ev('D')], 'no_stream');
        const part = await store.readStream(s, { fromRevision: 1, maxCount: 2 });
        expect(part.map((e) => e.type)).toEqual(['B', 'C']);
      });

      test('readStreams reads several streams in one call, a missing one as empty', async () => {
        const [a, b, missing] = [uniqueStream(), uniqueStream(), uniqueStream()];
        await store.append(a, [ev('A1'), ev('A2')], 'no_stream');
        await store.append(b, [ev('B1')], 'no_stream');
        const read = await store.readStreams([a, b, missing]);
        expect(read.get(a)!.map((e) => [e.type, e.streamPosition])).toEqual([
          ['A1', 0],
          ['A2', 1],
        ]);
        expect(read.get(b)!.map((e) => e.type)).toEqual(['B1']);
        expect(read.get(missing)).toEqual([]);
        expect((await store.readStreams([])).size).toBe(0);
      });

      test('readStreams with a link also reads the streams an event names, and only those', async () => {
        const parent = uniqueStream('parent');
        const [c1, c2, other] = [randomUUID(), randomUUID(), randomUUID()];
        await store.append(`child-${c1}`, [ev('C', { n: 1 }), ev('C', { n: 2 })], 'no_stream');
        await store.append(`child-${c2}`, [ev('C', { n: 3 })], 'no_stream');
        await store.append(`child-${other}`, [ev('C', { n: 4 })], 'no_stream');
        await store.append(parent, [ev('Created', { children: [c1, c2] }), ev('Changed', { children: [other] })], 'no_stream');
        const read = await store.readStreams([parent], { eventType: 'Created', field: 'children', prefix: 'child-' });
        expect(read.get(parent)!.map((e) => e.type)).toEqual(['Created', 'Changed']);
        expect(read.get(`child-${c1}`)!.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
        expect(read.get(`child-${c2}`)!.map((e) => e.data)).toEqual([{ n: 3 }]);
        expect(read.has(`child-${other}`)).toBe(false);
        const none = await store.readStreams([uniqueStream()], { eventType: 'Created', field: 'children', prefix: 'child-' });
        expect([...none.values()]).toEqual([[]]);
      });

      test('the caller-supplied event id is kept', async () => {
        const s = uniqueStream();
        const id = randomUUID();
        await store.append(s, [{ id, type: 'A', data: {} }], 'no_stream');
        expect((await store.readStream(s))[0].eventId).toBe(id);
      });
    });

    describe('optimistic concurrency', () => {
      test('no_stream on an existing stream is a typed conflict', async () => {
        const s = uniqueStream();
        await store.append(s, [ev('A')], 'no_stream');
        const err = await store.append(s, [ev('B')], 'no_stream').catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err.actual).toBe(0);
        expect(await store.streamRevision(s)).toBe(0);
      });

      test('a stale expected revision is a typed conflict naming the actual revision', async () => {
        const s = uniqueStream();
        await store.append(s, [ev('A'), ev('B')], 'no_stream');
        const err = await store.append(s, [ev('C')], 0).catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err.expected).toBe(0);
        expect(err.actual).toBe(1);
        await expect(store.append(s, [ev('C')], 1)).resolves.toMatchObject({ nextExpectedRevision: 2 });
      });

      test('an expected revision on a missing stream is a conflict', async () => {
        const err = await store.append(uniqueStream(), [ev('A')], 3).catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err.actual).toBe('no_stream');
      });

      test('stream_exists and any', async () => {
        const s = uniqueStream();
        await expect(store.append(s, [ev('A')], 'stream_exists')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.append(s, [ev('A')], 'any')).resolves.toMatchObject({ nextExpectedRevision: 0 });
        await expect(store.append(s, [ev('B')], 'any')).resolves.toMatchObject({ nextExpectedRevision: 1 });
        await expect(store.append(s, [ev('C')], 'stream_exists')).resolves.toMatchObject({ nextExpectedRevision: 2 });
      });

      test('of many writers racing on one revision exactly one wins', async () => {
        const s = uniqueStream();
        await store.append(s, [ev('A')], 'no_stream');
        const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.append(s, [ev(`W${i}`)], 0)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results.filter((x) => x.status === 'rejected')) {
          expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(s)).toHaveLength(2);
      });

      test('of many writers creating one stream exactly one wins', async () => {
        const s = uniqueStream();
        const results = await Promise.allSettled(Array.from({ length: 12 }, () => store.append(s, [ev('A')], 'no_stream')));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      });

      test('appendMulti is all or nothing', async () => {
        const a = uniqueStream();
        const b = uniqueStream();
        await store.append(b, [ev('Existing')], 'no_stream');
        const err = await store
          .appendMulti([
            { streamId: a, events: [ev('A')], expectedRevision: 'no_stream' },
            { streamId: b, events: [ev('B')], expectedRevision: 'no_stream' },
          ])
          .catch((e) => e);
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err.streamId).toBe(b);
        expect(await store.readStream(a)).toEqual([]);
        const ok = await store.appendMulti([
          { streamId: a, events: [ev('A')], expectedRevision: 'no_stream' },
          { streamId: b, events: [ev('B')], expectedRevision: 0 },
        ]);
        expect(ok.map((r) => r.nextExpectedRevision)).toEqual([0, 1]);
      });
    });

    describe('global feed', () => {
      test('readAll pages through appends in append order and positions only grow', async () => {
        const start = await store.headPosition();
        const s = uniqueStream();
        for (let i = 0; i < 5; i++) await store.append(s, [ev(`E${i}`)], i - 1);
        const first = await store.readAll({ after: start, maxCount: 3 });
        const rest = await store.readAll({ after: first[first.length - 1].position, maxCount: 100 });
        const all = [...first, ...rest].filter((e) => e.streamId === s);
        expect(all.map((e) => e.type)).toEqual(['E0', 'E1', 'E2', 'E3', 'E4']);
        for (let i = 1; i < all.length; i++) expect(store.comparePositions(all[i - 1].position, all[i].position)).toBeLessThan(0);
        expect(await store.countAfter(start)).toBeGreaterThanOrEqual(5);
        expect(store.comparePositions(await store.headPosition(), all[4].position)).toBeGreaterThanOrEqual(0);
      });

      test('readAll honours until', async () => {
        const start = await store.headPosition();
        const s = uniqueStream();
        const r1 = await store.append(s, [ev('A')], 'no_stream');
        await store.append(s, [ev('B')], 0);
        const upTo = await store.readAll({ after: start, maxCount: 100, until: r1.position });
        expect(upTo.filter((e) => e.streamId === s).map((e) => e.type)).toEqual(['A']);
      });

      test('a subscription catches up, then receives live appends', async () => {
        const start = await store.headPosition();
        const s = uniqueStream();
        await store.append(s, [ev('Before')], 'no_stream');
        const seen: StoredEvent[] = [];
        let resolveLive!: () => void;
        const live = new Promise<void>((r) => (resolveLive = r));
        const sub = store.subscribeToAll({
          after: start,
          handler: async (batch) => {
            seen.push(...batch.filter((e) => e.streamId === s));
            if (seen.some((e) => e.type === 'After')) resolveLive();
          },
        });
        await store.append(s, [ev('After')], 0);
        await live;
        await sub.stop();
        expect(seen.map((e) => e.type)).toEqual(['Before', 'After']);
      });

      test('a subscription whose handler throws ends with that error', async () => {
        const s = uniqueStream();
        await store.append(s, [ev('Boom')], 'no_stream');
        const sub = store.subscribeToAll({
          after: START_POSITION,
          handler: async () => {
            throw new Error('handler failed');
          },
        });
        await expect(sub.done).rejects.toThrow('handler failed');
      });

      test('concurrent writers: a live subscriber sees every event exactly once, in a stable order', async () => {
        const writers = 8;
        const perWriter = 400;
        const start = await store.headPosition();
        const runId = randomUUID();
        const seen: StoredEvent[] = [];
        const expected = writers * perWriter;
        let resolveAll!: () => void;
        const allSeen = new Promise<void>((r) => (resolveAll = r));
        const sub = store.subscribeToAll({
          after: start,
          maxBatch: 97,
          handler: async (batch) => {
            for (const e of batch) if ((e.data as { run?: string }).run === runId) seen.push(e);
            if (seen.length >= expected) resolveAll();
          },
        });
        // Batches of 1 to 3 events, several streams per writer, with jitter so commits interleave.
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            let written = 0;
            const revisions = new Map<string, number>();
            while (written < perWriter) {
              const streamId = `ordering-${runId}-${w}-${written % 5}`;
              const n = Math.min(perWriter - written, 1 + ((written + w) % 3));
              const events = Array.from({ length: n }, (_, k) => ev('Ordered', { run: runId, writer: w, seq: written + k }));
              const r = await store.append(streamId, events, revisions.get(streamId) ?? 'no_stream');
              revisions.set(streamId, r.nextExpectedRevision);
              written += n;
              if (written % 7 === 0) await new Promise((res) => setImmediate(res));
            }
          }),
        );
        await allSeen;
        await sub.stop();
        expect(seen).toHaveLength(expected);
        expect(new Set(seen.map((e) => e.eventId)).size).toBe(expected);
        // Per writer, events arrive in the order that writer appended them.
        for (let w = 0; w < writers; w++) {
          const seqs = seen.filter((e) => (e.data as { writer: number }).writer === w).map((e) => (e.data as { seq: number }).seq);
          expect(seqs).toEqual(Array.from({ length: perWriter }, (_, i) => i));
        }
        // Positions strictly increase, and a second read of the feed gives the very same order.
        for (let i = 1; i < seen.length; i++) expect(store.comparePositions(seen[i - 1].position, seen[i].position)).toBeLessThan(0);
        const reread: StoredEvent[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 1000 });
          if (page.length === 0) break;
          reread.push(...page.filter((e) => (e.data as { run?: string }).run === runId));
          after = page[page.length - 1].position;
        }
        expect(reread.map((e) => e.eventId)).toEqual(seen.map((e) => e.eventId));
      }, 120_000);
    });
  });
}
