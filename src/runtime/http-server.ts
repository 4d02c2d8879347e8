import { readFileSync } from 'node:fs';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Config } from '../config';
import { requestIdFor } from '../ops/http-hooks';

type Parser = (e: Error | null, v?: unknown) => void;

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

/** The Fastify instance under NestJS: body limit, proxy trust, request ids, TLS and body parsers. */
export function httpAdapter(config: Config) {
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
  return adapter;
}
