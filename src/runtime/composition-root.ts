import cluster from 'node:cluster';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AggregatorRegistry } from 'prom-client';
import { directoryMeta } from '../acme/http/directory-meta';
import { type Config, configWarnings } from '../config';
import { Scheduler } from '../jobs/scheduler';
import { EventBus } from '@nestjs/cqrs';
import { EventsCommitted } from '../ops/committed-events';
import { WORKER_READY } from '../ops/cluster-metrics';
import { installHttpHooks } from '../ops/http-hooks';
import type { Logger } from '../ops/logger';
import { Metrics } from '../ops/metrics';
import { NestPinoLogger } from '../ops/nest-logger';
import { reloadConfig } from '../ops/reload';
import { addressMatcher } from '../ratelimit/keys';
import { createAcmeServices } from './acme-services';
import { adminWiring } from './admin-wiring';
import { bootFromConfig } from './boot';
import { runPrimary } from './cluster-primary';
import { HttpModule } from './http-module';
import { httpAdapter, parseListen } from './http-server';
import { periodicTasks } from './periodic-tasks';
import { installProcessGuard } from './process-guard';
import { startWorkers } from './workers';

/**
 * The composition root of the server: the one place where the runtime, the ACME services, the job
 * workers, the periodic tasks and every HTTP edge are built and connected. Serves until
 * SIGTERM/SIGINT, then drains and exits 0; SIGHUP reloads the safe settings. With
 * server.workers > 1 the first process supervises that many worker processes, each of which
 * comes back here.
 */
export async function serve(config: Config, configPath: string | undefined, log: Logger): Promise<void> {
  // Valid but risky settings are said once, at start (not by each worker process).
  if (cluster.isPrimary) for (const w of configWarnings(config)) log.warn(w);
  if (cluster.isPrimary && config.server.workers > 1) {
    log.info({ config: configPath ?? '(embedded defaults)', workers: config.server.workers }, 'starting certledger');
    return runPrimary(config, log);
  }
  if (cluster.isWorker) {
    // A worker whose supervisor is gone (killed with SIGKILL) must not keep serving on its own.
    process.on('disconnect', () => process.exit(1));
  } else log.info({ config: configPath ?? '(embedded defaults)' }, 'starting certledger');
  return serveThisProcess(config, configPath, log);
}

async function serveThisProcess(config: Config, configPath: string | undefined, log: Logger): Promise<void> {
  // A database error nobody caught is logged and survived; any other one ends the process (ADR 0008).
  installProcessGuard(log);
  const rt = await bootFromConfig(config, log);
  const metrics = new Metrics();
  metrics.attach(rt);
  if (cluster.isWorker) {
    // Constructing an aggregator is what makes prom-client answer the primary's metrics requests.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.registry]);
  }
  const acme = await createAcmeServices(config, rt, metrics);
  await startWorkers(config, rt, acme, metrics);
  rt.leases.enableTakeover();
  rt.projections.start();
  const adapter = httpAdapter(config);
  installHttpHooks(adapter.getInstance() as unknown as Parameters<typeof installHttpHooks>[0], {
    pool: rt.db.pool,
    poolMax: config.database.pool_max,
    log,
    metrics,
    metricsPath: config.metrics.path,
    hsts: Boolean(config.server.tls.cert_file) || config.server.external_url.startsWith('https://'),
  });
  // metrics.* and notifications.expiration_* follow SIGHUP (ops/reload.ts); the rest is fixed at start.
  let current = config;
  const scheduler = new Scheduler(rt.db.backgroundPool, periodicTasks(config, acme, () => current.notifications), (task, e) => log.warn({ task, err: e.message }, 'periodic task failed'));
  scheduler.start();
  const module = HttpModule.forRoot({
    runtime: rt,
    acme,
    meta: directoryMeta(config.acme),
    dependencies: {
      smtp: { enabled: config.smtp.enabled, host: config.smtp.host, port: config.smtp.port },
      resolvers: config.validation.resolvers,
      healthDetails: { token: config.metrics.token, fromAddress: addressMatcher(config.server.health_details_from) },
    },
    admin: await adminWiring(config, rt, log),
    metrics,
    metricsPath: config.metrics.path,
    metricsAccess: () => current.metrics,
    crlPath: config.crl.path,
    rateLimits: config.rate_limits,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger: new NestPinoLogger(log), abortOnError: false });
  const events = app.get(EventBus);
  rt.onCommitted((committed) => events.publish(new EventsCommitted(committed.map((e) => e.type))));
  const { host, port } = parseListen(config.server.listen);
  await app.listen(port, host);
  log.info({ listen: config.server.listen, externalUrl: config.server.external_url, serverId: rt.serverId }, 'certledger is serving');
  if (cluster.isWorker) process.send?.({ type: WORKER_READY });

  process.on('SIGHUP', () => {
    const next = reloadConfig(configPath, current, log);
    if (!next) return;
    current = next;
    // A changed expiration-check interval takes effect now, not after the old wait.
    scheduler.rearm();
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.shuttingDown = true;
    log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const closed = await Promise.race([
      app.close().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), config.server.shutdown_timeout).unref()),
    ]);
    if (!closed) log.warn({ timeoutMs: config.server.shutdown_timeout }, 'in-flight requests did not finish within server.shutdown_timeout');
    await scheduler.stop();
    // Claimed jobs get workers.drain_timeout to finish; unfinished ones return to the queue when their
    // lease expires. The database and the audit log stay open until the drain ends.
    await rt.jobs.stop(config.workers.drain_timeout).catch((e) => log.warn({ err: (e as Error).message }, 'job queue stop failed'));
    await rt.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
