import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCertledgerServer } from './support/certledger-server';
import { treeCpuMs } from './support/process-cpu';

/**
 * What an idle server costs: the real server (bin/certledger.js) on its own PostgreSQL, no
 * requests at all. After a settling pause it measures, over a window, the CPU used per second by
 * the server's process tree (PostgreSQL included, its share shown), PostgreSQL transactions and
 * statements per second in the server's database, and the most frequent statements.
 *
 * Run: npm run bench:idle
 *   BENCH_IDLE_SETTLE_MS=15000   pause after the server answers /livez (boot work, first passes)
 *   BENCH_IDLE_SECONDS=20        measuring window
 *   BENCH_CONCURRENCY=16         workers.concurrency (the issuance benchmark's setting)
 *   BENCH_WORKERS=1              server.workers
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   profiles the idle server
 */

const SETTLE_MS = Number(process.env.BENCH_IDLE_SETTLE_MS ?? 15_000);
const SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'certledger-bench-idle-'));
  chmodSync(dir, 0o755);
  try {
    const server = await startCertledgerServer(dir, {
      workers: process.env.BENCH_WORKERS,
      nodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      extraYaml: `workers:\n  concurrency: ${CONCURRENCY}\n`,
    });
    try {
      await sleep(SETTLE_MS);
      const pg = server.pg;
      await pg.resetStatements();
      // pg_stat_database lags behind by up to 10 s (backends flush their counters when idle): over
      // a steady idle window the lag is the same at both ends, so the difference holds.
      const tx0 = await pg.transactions();
      const cpu0 = treeCpuMs(server.cpuRoots());
      const db0 = treeCpuMs(server.databaseCpuRoots());
      const start = process.hrtime.bigint();
      await sleep(SECONDS * 1000);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = (treeCpuMs(server.cpuRoots()) - cpu0) / seconds;
      const db = (treeCpuMs(server.databaseCpuRoots()) - db0) / seconds;
      const st = await pg.statements();
      const tx = ((await pg.transactions()) - tx0) / seconds;
      console.log(`\nIdle certledger (workers.concurrency ${CONCURRENCY}, server.workers ${process.env.BENCH_WORKERS ?? 1}) over ${seconds.toFixed(1)} s, after ${SETTLE_MS / 1000} s settling:`);
      console.log(`  CPU ${cpu.toFixed(1)} ms/s (whole process tree; PostgreSQL ${db.toFixed(1)}, Node ${(cpu - db).toFixed(1)})`);
      console.log(`  PostgreSQL ${tx.toFixed(2)} tx/s, ${(st.calls / seconds).toFixed(2)} statements/s`);
      console.log('\nMost frequent statements (calls per second):');
      for (const s of st.top) console.log(`  ${(s.calls / seconds).toFixed(2).padStart(7)}  ${s.query.replace(/\s+/g, ' ').slice(0, 120)}`);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
