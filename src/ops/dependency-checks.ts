import { promises as dns } from 'node:dns';
import { connect } from 'node:net';

/** Non-critical dependency probes for /healthz: they are reported, never change the status code. */
export interface DependencySettings {
  smtp: { enabled: boolean; host: string | null; port: number };
  resolvers: string[];
  /**
   * Who sees /healthz in detail (the status code is public): a request with the metrics bearer
   * token, or from an address this accepts. Absent: everyone (tests of the controller alone).
   */
  healthDetails?: { token: string | null; fromAddress: (ip: string) => boolean };
}

export const DEPENDENCY_SETTINGS = Symbol('certledger.dependency-settings');

export async function checkSmtp(s: DependencySettings['smtp'], timeoutMs = 3000): Promise<{ status: string; critical: false; detail?: string }> {
  if (!s.enabled || !s.host) return { status: 'disabled', critical: false };
  return new Promise((resolve) => {
    const socket = connect({ host: s.host!, port: s.port, timeout: timeoutMs });
    const done = (status: string, detail?: string) => {
      socket.destroy();
      resolve({ status, critical: false, ...(detail ? { detail } : {}) });
    };
    socket.once('connect', () => done('ok'));
    socket.once('timeout', () => done('error', `no connection to ${s.host}:${s.port} within ${timeoutMs} ms`));
    socket.once('error', (e) => done('error', `${s.host}:${s.port}: ${e.message}`));
  });
}

export async function checkResolvers(resolvers: string[], timeoutMs = 2000): Promise<{ status: string; critical: false; resolvers: string[]; detail?: string }> {
  if (resolvers.length === 0) return { status: 'system', critical: false, resolvers: [] };
  const r = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers(resolvers);
  try {
    await r.resolveNs('.');
    return { status: 'ok', critical: false, resolvers };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // An answer without records still proves the resolver answers.
    if (code === 'ENODATA' || code === 'ENOTFOUND' || code === 'ESERVFAIL') return { status: 'ok', critical: false, resolvers };
    return { status: 'error', critical: false, resolvers, detail: `${code ?? (e as Error).message}` };
  }
}
