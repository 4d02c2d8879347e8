import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { AcmeError } from '../domain/errors';
import type { Deadline } from './deadline';
import { describeSocketError, isUnreachable, UnreachableAddressError } from './target';

export const VALIDATION_USER_AGENT = 'certledger-validation (+https://datatracker.ietf.org/doc/html/rfc8555#section-8.3)';

export interface FetchedResponse {
  status: number;
  location?: string;
  /** Read for 200 answers only; other answers are judged by their status. */
  body?: Buffer;
}

export function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * One GET of url sent to `address`, an address already checked against the policy. The request
 * names the IP itself as the host to connect to, so no name lookup happens here; the Host header
 * and SNI carry the name. An https target's certificate is not verified: RFC 8555 §8.3 lets a
 * redirect go to https and says the CA need not check that certificate.
 */
export function fetchFromAddress(url: URL, address: string, maxResponseBytes: number, deadline: Deadline): Promise<FetchedResponse> {
  const secure = url.protocol === 'https:';
  const port = portOf(url);
  const hostname = hostOf(url);
  const where = `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
  return new Promise((resolve, reject) => {
    let tcpConnected = false;
    let tlsEstablished = false;
    let settled = false;
    let unsubscribe: () => void = () => undefined;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      outcome();
      req.destroy();
    };
    const fail = (problem: AcmeError): void => settle(() => reject(problem));

    const req = (secure ? https : http).request(
      {
        host: address,
        family: isIP(address),
        port,
        method: 'GET',
        path: `${url.pathname}${url.search}`,
        headers: { Host: url.host, 'User-Agent': VALIDATION_USER_AGENT, Accept: '*/*', 'Accept-Encoding': 'identity', Connection: 'close' },
        agent: false,
        ...(secure ? { servername: isIP(hostname) ? undefined : hostname, rejectUnauthorized: false } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) return settle(() => resolve({ status, location: res.headers.location }));
        const tooLarge = () => new AcmeError('unauthorized', `Invalid response from ${url.href} [${address}]: response too large (more than ${maxResponseBytes} bytes)`);
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxResponseBytes) return fail(tooLarge());
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) return fail(tooLarge());
          chunks.push(chunk);
        });
        res.on('end', () => settle(() => resolve({ status, body: Buffer.concat(chunks) })));
        res.on('aborted', () => fail(new AcmeError('connection', `Fetching ${url.href}: connection to ${where} closed before the response was complete`)));
        res.on('error', (e: NodeJS.ErrnoException) => fail(new AcmeError('connection', `Fetching ${url.href}: ${describeSocketError(e)} reading from ${where}`)));
      },
    );
    req.on('socket', (socket) => {
      socket.once('connect', () => (tcpConnected = true));
      if (secure) socket.once('secureConnect', () => (tlsEstablished = true));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (!tcpConnected && isUnreachable(e)) return fail(new UnreachableAddressError(`Fetching ${url.href}: ${describeSocketError(e)} connecting to ${where}`));
      if (secure && tcpConnected && !tlsEstablished) return fail(new AcmeError('tls', `Fetching ${url.href}: TLS handshake with ${where} failed: ${e.message}`));
      fail(new AcmeError('connection', `Fetching ${url.href}: ${describeSocketError(e)} ${tcpConnected ? 'talking to' : 'connecting to'} ${where}`));
    });
    unsubscribe = deadline.onExpiry(() =>
      fail(new AcmeError('connection', `Fetching ${url.href}: timeout after ${deadline.timeoutMs} ms ${tcpConnected ? 'waiting for the response from' : 'connecting to'} ${where}`)),
    );
    req.end();
  });
}
