import { promises as dns } from 'node:dns';
import { AcmeError } from '../domain/errors';
import type { ValidationOptions } from './options';

/** DNS lookups through the configured resolvers (or the system's), with errors a client can act on. */
export class ValidationResolver {
  private readonly resolver = new dns.Resolver({ timeout: 3000, tries: 2 });

  constructor(private readonly opts: Pick<ValidationOptions, 'resolvers'>) {
    if (opts.resolvers.length > 0) this.resolver.setServers(opts.resolvers);
  }

  get servers(): string[] {
    return this.resolver.getServers();
  }

  async addresses(hostname: string): Promise<string[]> {
    const [v4, v6] = await Promise.all([this.query(() => this.resolver.resolve4(hostname)), this.query(() => this.resolver.resolve6(hostname))]);
    for (const r of [v4, v6]) if (r.error && !isNoData(r.error)) throw dnsProblem(hostname, 'A/AAAA', r.error);
    const all = [...(v4.value ?? []), ...(v6.value ?? [])];
    if (all.length === 0) throw new AcmeError('dns', `no valid A or AAAA records found for ${hostname}`);
    return all;
  }

  async txt(name: string): Promise<string[]> {
    const r = await this.query(() => this.resolver.resolveTxt(name));
    if (r.error) {
      if (isNoData(r.error)) return [];
      throw dnsProblem(name, 'TXT', r.error);
    }
    return (r.value ?? []).map((chunks) => chunks.join(''));
  }

  private async query<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: NodeJS.ErrnoException }> {
    try {
      return { value: await fn() };
    } catch (e) {
      return { error: e as NodeJS.ErrnoException };
    }
  }
}

function isNoData(e: NodeJS.ErrnoException): boolean {
  return e.code === 'ENODATA' || e.code === 'ENOTFOUND';
}

function dnsProblem(name: string, type: string, e: NodeJS.ErrnoException): AcmeError {
  return new AcmeError('dns', `DNS problem: ${e.code ?? 'error'} looking up ${type} for ${name}`);
}
