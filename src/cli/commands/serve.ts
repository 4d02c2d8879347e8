import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAcmeServices, startWorkers } from '../../acme/acme-services';
import { directoryMeta } from '../../acme/http/directory-meta';
import { AppModule } from '../../app.module';
import type { Config } from '../../config';
import { NestPinoLogger } from '../../ops/nest-logger';
import { boot } from '../../runtime/boot';
import { bootSettings, type GlobalOptions, loggerFor, readConfig } from '../context';

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

/** `serve`: boots, serves until SIGTERM/SIGINT, then drains and exits 0. */
export async function serve(opts: GlobalOptions): Promise<void> {
  const { config, path } = readConfig(opts);
  const log = loggerFor(config, opts);
  log.info({ config: path ?? '(embedded defaults)' }, 'starting certledger');
  const rt = await boot(bootSettings(config), log);
  const acme = await createAcmeServices(config, rt);
  await startWorkers(config, rt, acme);
  rt.projections.start();
  const https = httpsOptions(config);
  const adapter = new FastifyAdapter({ bodyLimit: config.server.body_limit, ...(https ? { https } : {}) } as ConstructorParameters<typeof FastifyAdapter>[0]);
  // ACME bodies are application/jose+json; any other type reaches the handler as text and gets a 415 problem.
  const fastify = adapter.getInstance();
  fastify.addContentTypeParser('application/jose+json', { parseAs: 'string' }, (_req: unknown, body: string, done: (e: Error | null, v?: unknown) => void) => done(null, body));
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req: unknown, body: string, done: (e: Error | null, v?: unknown) => void) => done(null, body));
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(rt, acme, directoryMeta(config.acme)), adapter, {
    logger: new NestPinoLogger(log),
    abortOnError: false,
  });
  const { host, port } = parseListen(config.server.listen);
  await app.listen(port, host);
  log.info({ listen: config.server.listen, externalUrl: config.server.external_url }, 'certledger is serving');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.shuttingDown = true;
    log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const deadline = config.server.shutdown_timeout;
    const closed = await Promise.race([
      app.close().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), deadline).unref()),
    ]);
    if (!closed) log.warn({ timeoutMs: deadline }, 'in-flight requests did not finish within server.shutdown_timeout');
    // Claimed jobs get workers.drain_timeout to finish; unfinished ones return to the queue when their lease expires.
    await rt.jobs.stop(config.workers.drain_timeout).catch((e) => log.warn({ err: (e as Error).message }, 'job queue stop failed'));
    await rt.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
