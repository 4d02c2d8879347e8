import { promises as dns } from 'node:dns';
import { AcmeError } from '../domain/errors';
import type { Deadline } from './deadline';
import type { ValidationOptions } from './options';

/** Addresses of a name, with the resolver that gave them (an auditor wants to know which). */
export interface AddressAnswer {
  addresses: string[];
  resolverUsed: string;
}

/** TXT values of a name (chunks of one record joined), with the resolver that answered. */
export interface TxtAnswer {
  records: string[];
  resolverUsed: string;
  /** False when the resolver answered NXDOMAIN. */
  nameExists: boolean;
}

/** The label used when no resolver is configured and the system has none listed either. */
const SYSTEM_RESOLVER = 'system';

/** Answers that settle the question; anything else is worth asking the next resolver. */
const NO_DATA = 'ENODATA';
const NXDOMAIN = 'ENOTFOUND';

/** Wording of c-ares error codes in problem details: the DNS rcode where there is one. */
const CODE_WORDING: Record<string, string> = {
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ENOTFOUND: 'NXDOMAIN',
  ETIMEOUT: 'query timed out',
  ECONNREFUSED: 'connection refused',
  EBADRESP: 'malformed response',
  ENOTIMP: 'NOTIMP',
  EFORMERR: 'FORMERR',
};

type Settled<T> = { value: T; error?: undefined } | { value?: undefined; error: NodeJS.ErrnoException };

/**
 * DNS lookups for validation through the configured resolvers (or the system's). Each query asks
 * one server at a time, in order, moving to the next on SERVFAIL, REFUSED or a timeout, so the
 * record can name the resolver whose answer was used. /etc/hosts is never consulted: validation
 * sees what the world's DNS says, not what this machine was told locally.
 */
export class ValidationResolver {
  readonly servers: string[];
  private readonly tryTimeoutMs: number;

  constructor(opts: Pick<ValidationOptions, 'resolvers'> & Partial<Pick<ValidationOptions, 'timeoutMs'>>) {
    for (const server of opts.resolvers) assertResolverAddress(server);
    const configured = opts.resolvers.length > 0 ? [...opts.resolvers] : new dns.Resolver().getServers();
    this.servers = configured.length > 0 ? configured : [SYSTEM_RESOLVER];
    // Two tries per server within a third of the budget, so a dead first resolver leaves time for the next.
    this.tryTimeoutMs = Math.max(100, Math.min(2000, Math.floor((opts.timeoutMs ?? 6000) / 6)));
  }

  /** A and AAAA records of hostname; none at all is a `dns` problem, as is a resolver failure. */
  async addresses(hostname: string, deadline?: Deadline): Promise<AddressAnswer> {
    let failure: { error: NodeJS.ErrnoException; server: string } | undefined;
    for (const server of this.servers) {
      const [v4, v6] = await this.ask(server, deadline, (r) => Promise.all([settle(r.resolve4(hostname)), settle(r.resolve6(hostname))]));
      const addresses = [...(v4.value ?? []), ...(v6.value ?? [])];
      // One family answering is enough: a broken AAAA server must not hide a working A record.
      if (addresses.length > 0) return { addresses, resolverUsed: server };
      const errors = [v4.error, v6.error].filter((e): e is NodeJS.ErrnoException => e !== undefined);
      const transient = errors.find((e) => e.code !== NO_DATA && e.code !== NXDOMAIN);
      if (transient) {
        failure = { error: transient, server };
        if (deadline?.expired) break;
        continue;
      }
      const nx = errors.some((e) => e.code === NXDOMAIN) ? ' (NXDOMAIN: the name does not exist)' : '';
      throw new AcmeError('dns', `No valid A or AAAA records found for ${hostname}${nx}`);
    }
    throw dnsProblem(hostname, 'A/AAAA', failure!, deadline);
  }

  /** TXT records at name; an empty list when the name has none or does not exist. */
  async txt(name: string, deadline?: Deadline): Promise<TxtAnswer> {
    let failure: { error: NodeJS.ErrnoException; server: string } | undefined;
    for (const server of this.servers) {
      const r = await this.ask(server, deadline, (resolver) => settle(resolver.resolveTxt(name)));
      if (!r.error) return { records: r.value.map((chunks) => chunks.join('')), resolverUsed: server, nameExists: true };
      if (r.error.code === NO_DATA || r.error.code === NXDOMAIN) return { records: [], resolverUsed: server, nameExists: r.error.code === NO_DATA };
      failure = { error: r.error, server };
      if (deadline?.expired) break;
    }
    throw dnsProblem(name, 'TXT', failure!, deadline);
  }

  /**
   * CAA records at name (RFC 8659 §3): an empty list when it has none or does not exist. Node
   * gives each record as { critical, <tag>: value }.
   */
  async caa(name: string, deadline?: Deadline): Promise<{ records: Array<{ flags: number; tag: string; value: string }>; resolverUsed: string }> {
    let failure: { error: NodeJS.ErrnoException; server: string } | undefined;
    for (const server of this.servers) {
      const r = await this.ask(server, deadline, (resolver) => settle(resolver.resolveCaa(name)));
      if (!r.error) {
        const records = r.value.map((rec) => {
          const { critical, ...rest } = rec as unknown as Record<string, string | number>;
          const [tag, value] = Object.entries(rest)[0] ?? ['', ''];
          return { flags: Number(critical), tag, value: String(value) };
        });
        return { records, resolverUsed: server };
      }
      if (r.error.code === NO_DATA || r.error.code === NXDOMAIN) return { records: [], resolverUsed: server };
      failure = { error: r.error, server };
      if (deadline?.expired) break;
    }
    throw dnsProblem(name, 'CAA', failure!, deadline);
  }

  /**
   * One exchange with one server; the deadline cancels the queries still in flight. A fresh channel
   * each time on purpose: c-ares keeps a channel's UDP socket while it has queries out, so a shared
   * channel would answer concurrent validations from one source port, and a spoofed answer would
   * then need to guess only the 16-bit query id. A channel costs about 75 µs of CPU (measured), and a
   * validation opens a few.
   */
  private async ask<T>(server: string, deadline: Deadline | undefined, query: (resolver: dns.Resolver) => Promise<T>): Promise<T> {
    const resolver = new dns.Resolver({ timeout: this.tryTimeoutMs, tries: 2 });
    if (server !== SYSTEM_RESOLVER) resolver.setServers([server]);
    const unsubscribe = deadline?.onExpiry(() => resolver.cancel());
    try {
      return await query(resolver);
    } finally {
      unsubscribe?.();
    }
  }
}

function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ value }),
    (error: NodeJS.ErrnoException) => ({ error }),
  );
}

/** Resolvers must be IP addresses (optionally with a port): a resolver named by DNS would need DNS. */
function assertResolverAddress(server: string): void {
  try {
    new dns.Resolver().setServers([server]);
  } catch (e) {
    throw new Error(`validation resolver "${server}" is not an IP address with an optional port: ${(e as Error).message}`);
  }
}

function dnsProblem(name: string, type: string, failure: { error: NodeJS.ErrnoException; server: string }, deadline?: Deadline): AcmeError {
  // A query cancelled by the deadline is a timeout as far as the client is concerned.
  const code = failure.error.code === 'ECANCELLED' && deadline?.expired ? 'ETIMEOUT' : (failure.error.code ?? 'error');
  const wording = CODE_WORDING[code] ?? code;
  return new AcmeError('dns', `DNS problem: ${wording} looking up ${type} for ${name} (${code} from resolver ${failure.server})`);
}
