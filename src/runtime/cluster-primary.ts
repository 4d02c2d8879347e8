import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../config';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../db/embedded-postgres';
import { openCa } from '../ca/open-ca';
import { boot, bootSettings } from './boot';
import { auditSecret } from '../ops/audit/audit-secret';
import type { Logger } from '../ops/logger';
import { ensureServerId } from '../ops/node-identity';
import { METRICS_REPLY, METRICS_REQUEST, WORKER_READY } from '../ops/cluster-metrics';

/**
 * With server.workers > 1 this process supervises N worker processes serving one port. It starts
 * the embedded PostgreSQL (when no database is configured) once for all of them, forwards signals,
 * replaces a worker that dies, and answers the workers' metrics requests with the totals of all.
 */
export async function runPrimary(config: Config, log: Logger): Promise<void> {
  let embedded: EmbeddedPostgresHandle | undefined;
  const env: Record<string, string> = {};
  if (!config.database.url) {
    log.info({ dir: join(config.data_dir, 'postgres') }, 'no database.url configured: starting the embedded PostgreSQL for all workers');
    embedded = await startEmbeddedPostgres({ dir: join(config.data_dir, 'postgres'), onLog: (l) => log.debug({ component: 'embedded-postgres' }, l) });
    env.DATABASE_URL = embedded.socketUrl;
  }
  // First-start state is created once here, not raced by the workers.
  ensureServerId(config.data_dir);
  if (config.audit.enabled) auditSecret(config.audit.hmac_secret, config.data_dir);
  const ca = await openCa(config);
  if (ca.generated) log.info({ dir: join(config.data_dir, 'ca') }, 'generated a new root and intermediate CA');
  // Schema, job queues and projection checkpoints are set up once, before the workers start.
  const settings = bootSettings({ ...config, database: { ...config.database, url: config.database.url ?? env.DATABASE_URL ?? null } });
  const rt = await boot(settings, log);
  await rt.jobs.start();
  await rt.jobs.stop(1000);
  await rt.close();
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  const ready = new Set<number>();
  const fork = (): Worker => {
    const w = cluster.fork(env);
    w.on('message', async (msg: { type?: string; id?: number }) => {
      if (msg?.type === WORKER_READY) ready.add(w.id);
      if (msg?.type !== METRICS_REQUEST) return;
      const text = await aggregator.clusterMetrics().catch((e: Error) => `# metrics aggregation failed: ${e.message}\n`);
      w.send({ type: METRICS_REPLY, id: msg.id, text });
    });
    return w;
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!ready.has(worker.id)) {
      // It failed while starting (bad database, schema newer than this binary, …): starting it
      // again would fail the same way, so the whole server stops with the worker's status.
      log.error({ pid: worker.process.pid, code }, 'a worker process failed to start: stopping');
      void shutdown('worker start failure', code ?? 1);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker process died: starting a new one');
    setTimeout(fork, 1000).unref();
  });
  for (let i = 0; i < config.server.workers; i++) fork();
  log.info({ workers: config.server.workers }, 'worker processes started');

  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
  process.on('SIGHUP', () => workers().forEach((w) => w.process.kill('SIGHUP')));
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping worker processes');
    const limit = config.server.shutdown_timeout + config.workers.drain_timeout + 5000;
    await Promise.race([
      Promise.all(workers().map((w) => new Promise<void>((r) => (w.isDead() ? r() : (w.once('exit', () => r()), w.process.kill('SIGTERM')))))),
      new Promise((r) => setTimeout(r, limit).unref()),
    ]);
    for (const w of workers()) if (!w.isDead()) w.process.kill('SIGKILL');
    if (embedded) await embedded.stop();
    log.info('stopped');
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
