import ipaddr from 'ipaddr.js';
import type { Config } from './types';

/**
 * Settings that are valid but switch off a safeguard or expose something: one line each, for the
 * log at startup. The default configuration yields none, so a warning always means a choice.
 */
export function configWarnings(c: Config): string[] {
  const warnings: string[] = [];
  if (!c.audit.enabled) warnings.push('audit.enabled is false: no tamper-evident audit log is written');
  if (c.validation.allow_private_networks) {
    warnings.push('validation.allow_private_networks is true: validation may connect to loopback and private addresses (tests and labs only)');
  }
  const listenHost = /^(.*):\d+$/.exec(c.server.listen)?.[1].replace(/^\[|\]$/g, '') ?? '';
  const exposed = !isLoopback(listenHost);
  if (c.metrics.enabled && !c.metrics.token && exposed) {
    warnings.push(`metrics.token is unset while listening on ${c.server.listen}: anyone who reaches the port can read ${c.metrics.path}`);
  }
  const external = new URL(c.server.external_url);
  if (external.protocol === 'http:' && !isLoopback(external.hostname.replace(/^\[|\]$/g, ''))) {
    warnings.push(`server.external_url is plain http (${c.server.external_url}): ACME clients expect https outside a lab`);
  }
  if (c.server.trusted_proxies.some(trustsEveryone)) {
    warnings.push('server.trusted_proxies covers every address: any client can set X-Forwarded-For and choose the address it is seen from');
  }
  if (c.acme.eab_required && !c.admin.enabled) {
    warnings.push('acme.eab_required is true while admin.enabled is false: EAB keys can only be created once the admin API is on');
  }
  return warnings;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  return ipaddr.isValid(host) && ipaddr.parse(host).range() === 'loopback';
}

function trustsEveryone(entry: string): boolean {
  try {
    return ipaddr.parseCIDR(entry)[1] === 0;
  } catch {
    return false;
  }
}
