import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAcmeServices, startWorkers } from '../../acme/acme-services';
import { periodicTasks } from '../../jobs/periodic-tasks';
import { adminWiring } from '../../admin/admin-wiring';
import { Scheduler } from '../../jobs/scheduler';
import { directoryMeta } from '../../acme/http/directory-meta';
import { AppModule } from '../../app.module';
import { type Config, configWarnings } from '../../config';
import { AggregatorRegistry } from 'prom-client';
import { scrape, WORKER_READY } from '../../ops/cluster-metrics';
import { installHttpHooks, requestIdFor } from '../../ops/http-hooks';
import { Metrics } from '../../ops/metrics';
import { NestPinoLogger } from '../../ops/nest-logger';
import { reloadConfig } from '../../ops/reload';
import { boot } from '../../runtime/boot';
import { bearerMatches } from '../../ops/secure-compare';
import { addressMatcher } from '../../ratelimit/keys';
import { RATE_LIMITS_DOCS_PATH } from '../../config/derive';
import { rateLimitsPage } from '../../ratelimit/docs-page';
import { isDatabaseUnavailable } from '../../runtime/pool-errors';
import { installProcessGuard } from '../../runtime/process-guard';
import { bootSettings, type GlobalOptions, loggerFor, readConfig } from '../context';
import { runPrimary } from './cluster-primary';

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new Error(`server.listen: expected host:port, got '${listen}'`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
}

function httpsOptions(config: Config) {
  const tls = config.server.tls;
  if (!tls?.cert_file || !tls?.key_file) return undefined;
  return { cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file) };
}

type Parser = (e: Error | null, v?: unknown) => void;

/**
 * `serve`: boots, serves until SIGTERM/SIGINT, then drains and exits 0. SIGHUP reloads the safe
 * settings. With server.workers > 1 the first process supervises that many worker processes.
 */
export async function serve(opts: GlobalOptions): Promise<void> {
  const { config, path } = readConfig(opts);
  const log = loggerFor(config, opts);
  // Valid but risky settings are said once, at start (not by each worker process).
  if (cluster.isPrimary) for (const w of configWarnings(config)) log.warn(w);
  if (cluster.isPrimary && config.server.workers > 1) {
    log.info({ config: path ?? '(embedded defaults)', workers: config.server.workers }, 'starting certledger');
    return runPrimary(config, log);
  }
  if (cluster.isWorker) {
    // A worker whose supervisor is gone (killed with SIGKILL) must not keep serving on its own.
    process.on('disconnect', () => process.exit(1));
  } else log.info({ config: path ?? '(embedded defaults)' }, 'starting certledger');
  // A database error nobody caught is logged and survived; any other one ends the process (ADR 0008).
  installProcessGuard(log);
  const rt = await boot(bootSettings(config), log);
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
  const https = httpsOptions(config);
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.body_limit,
    // Client IP and scheme come from X-Forwarded-For / X-Forwarded-Proto only when the peer is trusted.
    trustProxy: config.server.trusted_proxies.length > 0 ? config.server.trusted_proxies : false,
    genReqId: (req: { headers: Record<string, unknown> }) => requestIdFor(req.headers['x-request-id']),
    ...(https ? { https } : {}),
  } as ConstructorParameters<typeof FastifyAdapter>[0]);
  const fastify = adapter.getInstance();
  // ACME bodies are application/jose+json; any other type reaches the handler as text and gets a 415 problem.
  fastify.addContentTypeParser('application/jose+json', { parseAs: 'string' }, (_r: unknown, body: string, done: Parser) => done(null, body));
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_r: unknown, body: string, done: Parser) => done(null, body));
  installHttpHooks(fastify as unknown as Parameters<typeof installHttpHooks>[0], { pool: rt.db.pool, poolMax: config.database.pool_max, log, metrics, metricsPath: config.metrics.path, hsts: Boolean(config.server.tls.cert_file) || config.server.external_url.startsWith('https://') });
  let metricsSettings = config.metrics;
  fastify.get(config.metrics.path, async (req, reply) => {
    if (!metricsSettings.enabled) return reply.code(404).send({ detail: 'metrics are disabled (metrics.enabled: false)' });
    if (metricsSettings.token && !bearerMatches(req.headers.authorization, metricsSettings.token)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ detail: 'metrics need a bearer token' });
    }
    reply.header('Content-Type', metrics.registry.contentType);
    return scrape(metrics);
  });
  fastify.get(RATE_LIMITS_DOCS_PATH, async (_req, reply) => reply.type('text/plain; charset=utf-8').send(rateLimitsPage(config.rate_limits)));
  if (acme.crl) {
    const crl = acme.crl.builder;
    fastify.get(config.crl.path, async (_req, reply) => {
      let current;
      try {
        current = await crl.current();
      } catch (e) {
        if (!isDatabaseUnavailable(e)) throw e;
        return reply.code(503).header('Retry-After', '2').send({ detail: 'the database is temporarily unavailable; retry shortly' });
      }
      if (!current) return reply.code(503).header('Retry-After', '5').send({ detail: 'the CRL has not been built yet; retry shortly' });
      reply.header('Content-Type', 'application/pkix-crl');
      reply.header('Last-Modified', current.thisUpdate.toUTCString());
      reply.header('Cache-Control', `public, max-age=${Math.max(0, Math.floor((current.nextUpdate.getTime() - Date.now()) / 2000))}`);
      return reply.send(current.der);
    });
  }
  let current = config;
  const scheduler = new Scheduler(rt.db.backgroundPool, periodicTasks(config, acme, () => current.notifications), (task, e) => log.warn({ task, err: e.message }, 'periodic task failed'));
  scheduler.start();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(rt, acme, directoryMeta(config.acme), {
      smtp: { enabled: config.smtp.enabled, host: config.smtp.host, port: config.smtp.port },
      resolvers: config.validation.resolvers,
      healthDetails: { token: config.metrics.token, fromAddress: addressMatcher(config.server.health_details_from) },
    }, await adminWiring(config, rt, log)), adapter, {
    logger: new NestPinoLogger(log),
    abortOnError: false,
  });
  const { host, port } = parseListen(config.server.listen);
  await app.listen(port, host);
  log.info({ listen: config.server.listen, externalUrl: config.server.external_url, serverId: rt.serverId }, 'certledger is serving');
  if (cluster.isWorker) process.send?.({ type: WORKER_READY });

  process.on('SIGHUP', () => {
    const next = reloadConfig(path, current, log);
    if (!next) return;
    current = next;
    metricsSettings = next.metrics;
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
