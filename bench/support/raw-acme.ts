// Shared by the end-to-end tests and the issuance benchmark.
import { exportJWK, FlattenedSign, generateKeyPair, type JWK, type KeyLike } from 'jose';

/**
 * A bare ACME client for tests that must send exactly the wrong thing: every JWS header and the
 * body are under the test's control.
 */
export interface TestKey {
  alg: string;
  privateKey: KeyLike;
  jwk: JWK;
}

export async function testAccountKey(alg = 'ES256', options: Record<string, unknown> = {}): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return { alg, privateKey, jwk: await exportJWK(publicKey) };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: any;
}

export interface RawAcmeOptions {
  /** Directory URL when it is not `<baseUrl>/directory` (Pebble serves `/dir`). */
  directoryUrl?: string;
  /** An undici dispatcher for every request (connection pool, TLS trust). */
  dispatcher?: unknown;
}

export class RawAcme {
  directory!: Record<string, string>;
  constructor(
    readonly baseUrl: string,
    private readonly options: RawAcmeOptions = {},
  ) {}

  /** fetch with this client's dispatcher, if any. */
  fetch(url: string, init: RequestInit = {}): Promise<Response> {
    return fetch(url, this.options.dispatcher ? ({ ...init, dispatcher: this.options.dispatcher } as RequestInit) : init);
  }

  async init(): Promise<this> {
    this.directory = (await (await this.fetch(this.options.directoryUrl ?? `${this.baseUrl}/directory`)).json()) as Record<string, string>;
    return this;
  }

  async nonce(): Promise<string> {
    const r = await this.fetch(this.directory.newNonce, { method: 'HEAD' });
    return r.headers.get('replay-nonce')!;
  }

  async sign(url: string, payload: unknown, key: TestKey, opts: { kid?: string; nonce?: string | null; header?: Record<string, unknown>; alg?: string } = {}): Promise<Record<string, string>> {
    const nonce = opts.nonce === undefined ? await this.nonce() : opts.nonce;
    const header: Record<string, unknown> = { alg: opts.alg ?? key.alg, url, ...(nonce !== null ? { nonce } : {}), ...(opts.kid ? { kid: opts.kid } : { jwk: key.jwk }), ...opts.header };
    for (const [k, v] of Object.entries(header)) if (v === undefined) delete header[k];
    const bytes = payload === '' ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(payload));
    return (await new FlattenedSign(bytes).setProtectedHeader(header as never).sign(key.privateKey)) as unknown as Record<string, string>;
  }

  async send(url: string, body: unknown, contentType = 'application/jose+json'): Promise<RawResponse> {
    const r = await this.fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: r.status, headers: r.headers, body: parsed };
  }

  async post(url: string, payload: unknown, key: TestKey, opts: Parameters<RawAcme['sign']>[3] = {}): Promise<RawResponse> {
    return this.send(url, await this.sign(url, payload, key, opts));
  }

  /** Registers an account; returns its URL (the kid). */
  async account(key: TestKey, payload: Record<string, unknown> = { termsOfServiceAgreed: true }): Promise<string> {
    const r = await this.post(this.directory.newAccount, payload, key);
    if (r.status !== 201 && r.status !== 200) throw new Error(`newAccount failed: ${JSON.stringify(r.body)}`);
    return r.headers.get('location')!;
  }
}
