// Shared by the end-to-end tests and the issuance benchmark.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dns2 = require('dns2');

/**
 * What a test controls to answer challenges on loopback: a DNS server (every name resolves to
 * 127.0.0.1 unless told otherwise; TXT records on demand), an http-01 responder, and a
 * tls-alpn-01 responder. The server under test is configured to use them.
 */
export class ChallengeRig {
  readonly txt = new Map<string, string[]>();
  readonly http = new Map<string, string>();
  readonly alpn = new Map<string, { key: string; cert: string }>();
  /** Names that do not exist (NXDOMAIN). */
  readonly missing = new Set<string>();
  /** CAA records by name (none by default). */
  readonly caa = new Map<string, Array<{ flags: number; tag: string; value: string }>>();
  /** Names whose CAA queries get SERVFAIL. */
  readonly caaServfail = new Set<string>();
  /** Names resolving to another address than 127.0.0.1. */
  readonly addresses = new Map<string, string>();
  /** Delay before the http-01 responder answers (slow validations). */
  httpDelayMs = 0;
  /** http-01 requests received, by token. */
  readonly httpHits = new Map<string, number>();
  dnsPort = 0;
  httpPort = 0;
  tlsPort = 0;
  private dns: any;
  private httpServer?: Server;
  private tlsServer?: tls.Server;

  async start(): Promise<this> {
    const { Packet } = dns2;
    this.dns = dns2.createServer({
      udp: true,
      handle: (request: any, send: (r: unknown) => void) => {
        const response = Packet.createResponseFromRequest(request);
        const [q] = request.questions;
        const name = String(q.name).toLowerCase();
        if (this.missing.has(name)) {
          response.header.rcode = Packet.RCODE.NXDOMAIN;
        } else if (q.type === Packet.TYPE.A) {
          response.answers.push({ name: q.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 1, address: this.addresses.get(name) ?? '127.0.0.1' });
        } else if (q.type === Packet.TYPE.CAA && this.caaServfail.has(name)) {
          response.header.rcode = 2; // SERVFAIL
        } else if (q.type === Packet.TYPE.CAA) {
          for (const r of this.caa.get(name) ?? []) response.answers.push({ name: q.name, type: Packet.TYPE.CAA, class: Packet.CLASS.IN, ttl: 1, ...r });
        } else if (q.type === Packet.TYPE.TXT) {
          for (const data of this.txt.get(name) ?? []) response.answers.push({ name: q.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 1, data });
        }
        send(response);
      },
    });
    await new Promise<void>((resolve) => {
      this.dns.on('listening', resolve);
      this.dns.listen({ udp: { port: 0, address: '127.0.0.1' } });
    });
    this.dnsPort = this.dns.addresses().udp.port;

    this.httpServer = createHttpServer(async (req, res) => {
      const token = /^\/\.well-known\/acme-challenge\/([^/]+)$/.exec(req.url ?? '')?.[1];
      if (token) this.httpHits.set(token, (this.httpHits.get(token) ?? 0) + 1);
      if (this.httpDelayMs > 0) await new Promise((r) => setTimeout(r, this.httpDelayMs).unref());
      const body = token ? this.http.get(token) : undefined;
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body);
    });
    await new Promise<void>((r) => this.httpServer!.listen(0, '127.0.0.1', r));
    this.httpPort = (this.httpServer.address() as AddressInfo).port;

    this.tlsServer = tls.createServer({
      ALPNProtocols: ['acme-tls/1'],
      SNICallback: (servername, cb) => {
        const c = this.alpn.get(servername.toLowerCase());
        if (!c) return cb(new Error(`no tls-alpn-01 certificate for ${servername}`));
        cb(null, tls.createSecureContext({ key: c.key, cert: c.cert }));
      },
    });
    await new Promise<void>((r) => this.tlsServer!.listen(0, '127.0.0.1', r));
    this.tlsPort = (this.tlsServer.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.httpServer?.closeAllConnections();
    await new Promise((r) => this.httpServer?.close(r));
    await new Promise((r) => this.tlsServer?.close(r));
    this.dns?.close();
  }

  /** The server configuration lines that point validation at this rig. */
  validationYaml(): string {
    return [
      'validation:',
      `  resolvers: ["127.0.0.1:${this.dnsPort}"]`,
      `  http01_port: ${this.httpPort}`,
      `  tls_alpn01_port: ${this.tlsPort}`,
      '  allow_private_networks: true',
      '  timeout: 5s',
      '  attempts: 1',
    ].join('\n');
  }
}
