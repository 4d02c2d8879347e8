import { ALL_PROJECTIONS } from '../projections';
import { EventChainer, extendChain } from '../src/eventstore/postgres/event-chain';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store';
import { applyInline, ProjectionRunner } from '../src/projection/projection-runner';
import { benchDatabase, rate } from './support/database';

/**
 * Event store and projection figures: append throughput with 1 and 16 concurrent writers (one
 * event per append; a lone writer's appends each take a transaction of their own, while concurrent
 * writers' appends share transactions by group commit, docs/adr/0019-group-commit.md), the same
 * with the inline read models written in each append's transaction as the server's write path
 * does, read-all throughput, and the projection replay rate over at least 100,000 events, then the
 * orders and audit trail replays again after orders that are created, finalized and issued.
 * Run: npm run bench:eventstore   (BENCH_EVENTS=200000 to replay more, BENCH_MIXED_ORDERS for the
 * mix, BENCH_IN_FLIGHT to set the store's maxTransactionsInFlight)
 */
async function main() {
  const db = await benchDatabase();
  const inFlight = process.env.BENCH_IN_FLIGHT ? { maxTransactionsInFlight: Number(process.env.BENCH_IN_FLIGHT) } : {};
  const store = new PostgresEventStore({ pool: db.pool, ...inFlight });
  const inline = applyInline(ALL_PROJECTIONS);
  let n = 0;
  // Realistic OrderCreated events, so the read-model projections have real work to replay.
  const data = () => {
    n++;
    return { orderId: `o${n}`, accountId: `a${n % 97}`, identifiers: [{ type: 'dns', value: `www${n}.example.com` }], authorizationIds: [`z${n}`], notBefore: null, notAfter: null, expires: '2026-12-01T00:00:00Z' };
  };
  const meta = { actor: 'account:bench', sourceIp: '192.0.2.1', serverId: 'bench' };

  let round = 0;
  async function writers(n: number, appendsPerWriter: number, withReadModels = false) {
    const start = process.hrtime.bigint();
    round++;
    await Promise.all(
      Array.from({ length: n }, async (_, w) => {
        for (let i = 0; i < appendsPerWriter; i++) {
          const append = { streamId: `bench-${round}-${w}-${i}`, events: [{ type: 'OrderCreated', data: data(), metadata: meta }], expectedRevision: 'no_stream' as const };
          await store.appendMulti([append], withReadModels ? { inTransaction: (writes, events) => inline(writes, events) } : {});
        }
      }),
    );
    return rate(n * appendsPerWriter, start);
  }

  console.log(`append, 1 writer:    ${await writers(1, 3000)}`);
  console.log(`append, 16 writers:  ${await writers(16, 500)}`);
  console.log(`append with the inline read models, 1 writer:   ${await writers(1, 3000, true)}`);
  console.log(`append with the inline read models, 16 writers: ${await writers(16, 500, true)}`);

  // The same load while the hash chain follows the commits (as a server runs it).
  const chainer = new EventChainer(db.pool, { pollIntervalMs: 20 });
  chainer.start();
  console.log(`append, 16 writers, hash chain following: ${await writers(16, 500)}`);
  await chainer.stop();

  // Seed up to the replay size with 100-event appends.
  const target = Number(process.env.BENCH_EVENTS ?? 100_000);
  let have = await store.countAfter('0/0');
  for (let s = 0; have < target; s++) {
    const count = Math.min(100, target - have);
    await store.append(`seed-${s}`, Array.from({ length: count }, () => ({ type: 'OrderCreated', data: data(), metadata: meta })), 'no_stream');
    have += count;
  }

  // The chaining step alone, over everything not chained yet (the seed).
  let start = process.hrtime.bigint();
  console.log(`hash chain, catching up: ${rate(await extendChain(db.pool), start)}`);

  start = process.hrtime.bigint();
  let after = '0/0';
  let read = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) break;
    read += page.length;
    after = page[page.length - 1].position;
  }
  console.log(`read all (pages of 1000): ${rate(read, start)}`);

  const runner = new ProjectionRunner({ store, pool: db.pool, projections: ALL_PROJECTIONS, batchSize: 1000 });
  await runner.prepare();
  for (const p of ALL_PROJECTIONS) {
    start = process.hrtime.bigint();
    const r = await runner.rebuild(p.name);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`projection replay (${p.name}): ${r.events} events applied of ${read} read in ${seconds.toFixed(2)} s = ${Math.round(read / seconds).toLocaleString('en-US')} events/s`);
  }

  // Orders as a server sees them: created, finalized and issued, with 50 orders in flight at once,
  // so a replayed batch updates rows it also inserts. Replayed over the whole history.
  const mixed = Number(process.env.BENCH_MIXED_ORDERS ?? 25_000);
  for (let b = 0; b * 50 < mixed; b++) {
    const ids = Array.from({ length: 50 }, (_, i) => `m${b * 50 + i}`);
    const steps = [
      (id: string) => ({ type: 'OrderCreated', data: { ...data(), orderId: id } }),
      (id: string) => ({ type: 'OrderFinalizationRequested', data: { csr: 'MIIB', names: [`${id}.example.com`], keyType: 'ec-p256' } }),
      (id: string) => ({ type: 'OrderCertificateIssued', data: { certificateId: `c-${id}`, serial: id } }),
    ];
    for (const [revision, step] of steps.entries()) {
      await store.appendMulti(ids.map((id) => ({ streamId: `order-${id}`, expectedRevision: revision === 0 ? 'no_stream' : revision - 1, events: [{ ...step(id), metadata: meta }] })));
    }
  }
  const total = read + mixed * 3;
  for (const name of ['orders', 'audit_trail']) {
    start = process.hrtime.bigint();
    const r = await runner.rebuild(name);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`projection replay (${name}, with ${mixed} orders created, finalized and issued): ${r.events} events applied of ${total} read in ${seconds.toFixed(2)} s = ${Math.round(total / seconds).toLocaleString('en-US')} events/s`);
  }
  const mem = process.memoryUsage();
  console.log(`process memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
  await store.close();
  await db.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
