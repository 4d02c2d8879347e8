import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import tls from 'node:tls';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP (or HTTPS) server on 127.0.0.1 answering by path; unknown paths get 404. Records every request. */
export class HttpResponder {
  readonly routes = new Map<string, Handler>();
  readonly requests: Array<{ path: string; host: string | undefined }> = [];
  private server?: Server;
  port = 0;

  constructor(private readonly tlsOptions?: { key: string; cert: string }) {}

  route(path: string, handler: Handler): this {
    this.routes.set(path, handler);
    return this;
  }

  /** Serves body with status 200 at the challenge path of token. */
  challenge(token: string, body: string): this {
    return this.route(`/.well-known/acme-challenge/${token}`, (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body));
  }

  hits(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async start(): Promise<this> {
    const handle = (req: IncomingMessage, res: ServerResponse) => {
      this.requests.push({ path: req.url ?? '', host: req.headers.host });
      const handler = this.routes.get(req.url ?? '');
      if (handler) handler(req, res);
      else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    };
    this.server = this.tlsOptions ? createHttpsServer(this.tlsOptions, handle) : createHttpServer(handle);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A TLS server on 127.0.0.1 that serves, by SNI name, the certificates a test registers. */
export class TlsResponder {
  readonly contexts = new Map<string, tls.SecureContext>();
  readonly servernames: string[] = [];
  private server?: tls.Server;
  port = 0;

  /** alpn: the protocols the server negotiates (none: the server does not speak ALPN). */
  constructor(private readonly alpn: string[] = ['acme-tls/1']) {}

  serve(servername: string, credentials: { key: string; cert: string }): this {
    this.contexts.set(servername, tls.createSecureContext(credentials));
    return this;
  }

  async start(): Promise<this> {
    this.server = tls.createServer({
      ...(this.alpn.length > 0 ? { ALPNProtocols: this.alpn } : {}),
      SNICallback: (servername, cb) => {
        this.servernames.push(servername);
        const context = this.contexts.get(servername);
        if (context) cb(null, context);
        else cb(new Error(`no certificate for ${servername}`));
      },
    });
    this.server.on('secureConnection', (socket) => socket.end());
    this.server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A TCP server that accepts connections and never answers (a stalled responder). */
export class SilentServer {
  private server?: TcpServer;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<this> {
    this.server = createTcpServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A port on 127.0.0.1 where nothing listens: bound once by the system, then released. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
