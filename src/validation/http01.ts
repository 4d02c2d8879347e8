import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { AcmeError } from '../domain/errors';
import { assertAddressAllowed } from './address-policy';
import type { ValidationOptions, ValidationRecord } from './options';
import type { ValidationResolver } from './resolver';

/**
 * http-01 (RFC 8555 §8.3): GET http://<domain>/.well-known/acme-challenge/<token>. Every resolved
 * address and every redirect target is checked against the address policy, and we connect to the
 * very address we checked (no second DNS lookup). Redirects: at most max_redirects, http or https,
 * to ports 80/443 (or the configured validation ports, for test rigs).
 */
export interface Http01Input {
  domain: string;
  token: string;
  keyAuthorization: string;
}

interface Fetched {
  status: number;
  location?: string;
  body: string;
}

export async function validateHttp01(input: Http01Input, opts: ValidationOptions, resolver: ValidationResolver): Promise<ValidationRecord> {
  const port = opts.http01Port;
  let url = `http://${input.domain}${port === 80 ? '' : `:${port}`}/.well-known/acme-challenge/${input.token}`;
  const allowedPorts = new Set([80, 443, opts.http01Port, opts.tlsAlpn01Port]);
  const record: ValidationRecord = { type: 'http-01', hostname: input.domain, port, url, addressesResolved: [], resolvers: resolver.servers, redirects: [] };
  for (let hop = 0; ; hop++) {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(host) ? [host] : await resolver.addresses(host);
    if (hop === 0) record.addressesResolved = addresses;
    for (const a of addresses) assertAddressAllowed(a, host, opts.allowPrivateNetworks);
    const address = addresses[0];
    record.addressUsed = address;
    const res = await fetchOnce(u, address, opts);
    if (res.status >= 300 && res.status < 400 && res.location) {
      if (hop >= opts.maxRedirects) throw new AcmeError('unauthorized', `too many redirects (more than ${opts.maxRedirects}) fetching ${record.url}`);
      const next = new URL(res.location, u);
      const nextPort = Number(next.port || (next.protocol === 'https:' ? 443 : 80));
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new AcmeError('unauthorized', `redirect to ${next.href}: only http and https are followed`);
      if (!allowedPorts.has(nextPort)) throw new AcmeError('unauthorized', `redirect to ${next.href}: port ${nextPort} is not followed (only 80 and 443)`);
      record.redirects!.push(next.href);
      url = next.href;
      continue;
    }
    if (res.status !== 200) throw new AcmeError('unauthorized', `invalid response from ${url} [${address}]: HTTP ${res.status}`);
    const body = res.body.replace(/\s+$/, '');
    record.observed = body.slice(0, 256);
    if (body !== input.keyAuthorization) {
      const got = body.length > 100 ? `${body.slice(0, 100)}…` : body;
      throw new AcmeError('incorrectResponse', `the key authorization file from ${url} did not match this challenge: expected "${input.keyAuthorization}" (got "${got}")`);
    }
    record.validatedAt = new Date().toISOString();
    return record;
  }
}

function fetchOnce(u: URL, address: string, opts: ValidationOptions): Promise<Fetched> {
  const secure = u.protocol === 'https:';
  const port = Number(u.port || (secure ? 443 : 80));
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        host: address,
        port,
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        headers: { Host: u.host, 'User-Agent': 'certledger-validation', Accept: '*/*', Connection: 'close' },
        servername: secure ? u.hostname : undefined,
        rejectUnauthorized: false, // RFC 8555 §8.3: the certificate of an https redirect target is not checked
        timeout: opts.timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > opts.maxResponseBytes) {
            req.destroy();
            reject(new AcmeError('unauthorized', `response from ${u.href} is larger than ${opts.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(connectionProblem(e, u, address, port)));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => reject(e instanceof AcmeError ? e : connectionProblem(e, u, address, port)));
    req.end();
  });
}

function connectionProblem(e: NodeJS.ErrnoException, u: URL, address: string, port: number): AcmeError {
  const what = e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'ETIMEDOUT' ? 'timeout' : e.code === 'ECONNRESET' ? 'connection reset' : e.message;
  return new AcmeError('connection', `fetching ${u.href}: ${what} connecting to ${address}:${port}`);
}
