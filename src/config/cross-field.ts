import ipaddr from 'ipaddr.js';
import type { Problems } from './problems';

type Env = Record<string, string | undefined>;
type Data = Record<string, any>;

interface Context {
  /** Converted values: durations in ms, sizes in bytes, paths absolute. */
  c: Data;
  /** Durations as the operator wrote them, for messages. */
  written: Record<string, string>;
  env: Env;
  problems: Problems;
}

/**
 * A rule between keys. It runs only when every key it reads passed the earlier checks, so a
 * wrong value is reported once, by the check that caught it.
 */
interface Rule {
  keys: string[];
  check(ctx: Context): void;
}

const RULES: Rule[] = [
  {
    keys: ['server.external_url'],
    check({ c, problems }) {
      // Still null only when it could not be derived because server.listen is wrong (reported).
      if (c.server.external_url === null) return;
      const reason = externalUrlProblem(c.server.external_url);
      if (reason) problems.add('server.external_url', reason);
    },
  },
  {
    keys: ['server.shutdown_timeout', 'workers.drain_timeout'],
    check({ c, written, problems }) {
      if (c.server.shutdown_timeout <= c.workers.drain_timeout) return;
      problems.addMessage(
        ['server.shutdown_timeout', 'workers.drain_timeout'],
        `server.shutdown_timeout (${written['server.shutdown_timeout']}) must be ≤ workers.drain_timeout (${written['workers.drain_timeout']}):\n` +
          'in-flight HTTP handlers can enqueue jobs after the engine has stopped\ndraining',
      );
    },
  },
  {
    keys: ['workers.heartbeat_interval', 'workers.takeover_after'],
    check({ c, written, problems }) {
      if (c.workers.takeover_after >= 3 * c.workers.heartbeat_interval) return;
      problems.addMessage(
        ['workers.heartbeat_interval', 'workers.takeover_after'],
        `workers.takeover_after (${written['workers.takeover_after']}) must be at least 3 × workers.heartbeat_interval (${written['workers.heartbeat_interval']}):\n` +
          'a live instance that misses one heartbeat would lose its jobs to another',
      );
    },
  },
  {
    keys: ['server.tls'],
    check({ c, problems }) {
      if (Boolean(c.server.tls.cert_file) !== Boolean(c.server.tls.key_file)) {
        problems.add('server.tls', `cert_file and key_file must be given together (only ${c.server.tls.cert_file ? 'cert_file' : 'key_file'} is set)`);
      }
    },
  },
  {
    keys: ['server.trusted_proxies'],
    check({ c, problems }) {
      (c.server.trusted_proxies as string[]).forEach((entry, i) => {
        if (!isAddressOrCidr(entry)) problems.add(`server.trusted_proxies[${i}]`, `'${entry}' is not an IP address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)`);
      });
    },
  },
  {
    keys: ['server.health_details_from'],
    check({ c, problems }) {
      (c.server.health_details_from as string[]).forEach((entry, i) => {
        if (!isAddressOrCidr(entry)) problems.add(`server.health_details_from[${i}]`, `'${entry}' is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1)`);
      });
    },
  },
  {
    keys: ['rate_limits.allow_addresses'],
    check({ c, problems }) {
      (c.rate_limits.allow_addresses as string[]).forEach((entry, i) => {
        if (!isAddressOrCidr(entry)) problems.add(`rate_limits.allow_addresses[${i}]`, `'${entry}' is not an IP address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)`);
      });
    },
  },
  {
    keys: ['database.url'],
    check({ c, problems }) {
      const u = c.database.url as string | null;
      // The URL usually carries a password: say what is wrong without repeating it.
      if (u !== null && !/^postgres(ql)?:\/\/\S+$/.test(u)) problems.add('database.url', 'must be a postgres:// or postgresql:// URL (value not shown: it may hold a password)');
    },
  },
  {
    keys: ['acme.profiles', 'acme.default_profile'],
    check({ c, problems }) {
      const names = (c.acme.profiles as Array<{ name: string }>).map((p) => p.name);
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice) problems.add('acme.profiles', `profile name '${twice}' is used twice`);
      if (c.acme.default_profile !== null && !names.includes(c.acme.default_profile)) {
        problems.add('acme.default_profile', `'${c.acme.default_profile}' is not one of acme.profiles (${names.join(', ') || 'none configured'})`);
      }
    },
  },
  {
    keys: ['ca.validity', 'acme.max_validity'],
    check({ c, written, problems }) {
      if (c.ca.validity > c.acme.max_validity) {
        problems.addMessage(
          ['ca.validity', 'acme.max_validity'],
          `ca.validity (${written['ca.validity']}) must be ≤ acme.max_validity (${written['acme.max_validity']}): the default validity may not exceed the policy cap`,
        );
      }
    },
  },
  {
    keys: ['ca.internal.intermediate_cert_file', 'ca.internal.intermediate_key_file', 'ca.internal.root_cert_file'],
    check({ c, problems }) {
      const ca = c.ca.internal;
      if (Boolean(ca.intermediate_cert_file) !== Boolean(ca.intermediate_key_file)) {
        problems.add('ca.internal', `intermediate_cert_file and intermediate_key_file must be given together (only ${ca.intermediate_cert_file ? 'intermediate_cert_file' : 'intermediate_key_file'} is set)`);
      } else if (ca.intermediate_cert_file && !ca.root_cert_file) {
        problems.add('ca.internal.root_cert_file', 'is required when intermediate_cert_file is given (clients need the chain)');
      } else if (ca.root_cert_file && !ca.intermediate_cert_file) {
        problems.add('ca.internal.root_cert_file', 'is given without intermediate_cert_file and intermediate_key_file (the internal CA issues from an intermediate)');
      }
    },
  },
  {
    keys: ['ca.internal.key_passphrase_env'],
    check({ c, env, problems }) {
      const name = c.ca.internal.key_passphrase_env as string | null;
      if (name && env[name] === undefined) problems.add('ca.internal.key_passphrase_env', `names the environment variable ${name}, which is not set`);
    },
  },
  {
    keys: ['admin.enabled', 'admin.token_secret'],
    check({ c, problems }) {
      const secret = c.admin.token_secret as string | null;
      if (c.admin.enabled && (!secret || secret.length < 32)) {
        problems.add('admin.token_secret', `must be at least 32 characters when admin.enabled is true (got ${secret ? secret.length : 0})`);
      }
    },
  },
  {
    keys: ['crl'],
    check({ c, written, problems }) {
      if (c.crl.enabled && c.crl.refresh >= c.crl.validity) {
        problems.addMessage(
          ['crl.refresh', 'crl.validity'],
          `crl.refresh (${written['crl.refresh']}) must be shorter than crl.validity (${written['crl.validity']}): a CRL must be replaced before it expires`,
        );
      }
    },
  },
  {
    keys: ['notifications.retry_limit', 'notifications.retry_delay'],
    check({ c, written, problems }) {
      // Email retries double from retry_delay; the longest wait is capped at one hour.
      const n = c.notifications;
      if (n.retry_limit > 0 && n.retry_delay * 2 ** (n.retry_limit - 1) > 3_600_000) {
        problems.addMessage(
          ['notifications.retry_delay', 'notifications.retry_limit'],
          `notifications.retry_delay (${written['notifications.retry_delay']}) doubled over notifications.retry_limit (${n.retry_limit}) retries exceeds the 1h cap; lower one of them`,
        );
      }
    },
  },
  {
    keys: ['smtp'],
    check({ c, problems }) {
      if (!c.smtp.enabled) return;
      if (!c.smtp.host) problems.add('smtp.host', 'is required when smtp.enabled is true');
      if (!c.smtp.from) problems.add('smtp.from', 'is required when smtp.enabled is true');
    },
  },
  {
    keys: ['validation.resolvers'],
    check({ c, problems }) {
      (c.validation.resolvers as string[]).forEach((r, i) => {
        const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+)(?::(\d{1,5}))?$/.exec(r);
        if (!m || (m[2] && (Number(m[2]) < 1 || Number(m[2]) > 65535))) {
          problems.add(`validation.resolvers[${i}]`, `'${r}' is not host or host:port (IPv6 as [addr]:port)`);
        }
      });
    },
  },
];

/** Applies every rule whose keys are all valid so far; problems go with the schema's. */
export function checkCrossField(c: Data, written: Record<string, string>, env: Env, problems: Problems): void {
  const ctx = { c, written, env, problems };
  const runnable = RULES.filter((r) => r.keys.every((k) => problems.isClean(k)));
  for (const rule of runnable) rule.check(ctx);
}

/** Why a value cannot be the external URL, or null when it can. */
export function externalUrlProblem(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `must be an absolute http:// or https:// URL, got '${value}'`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be an absolute http:// or https:// URL, got '${value}'`;
  if (value.endsWith('/')) return `must not end with '/' (got '${value}')`;
  if (u.search || u.hash || value.includes('?') || value.includes('#')) return `must not carry a query or fragment (got '${value}')`;
  if (u.username || u.password) return 'must not carry credentials';
  return null;
}

function isAddressOrCidr(entry: string): boolean {
  if (entry.includes('/')) {
    try {
      ipaddr.parseCIDR(entry);
      return true;
    } catch {
      return false;
    }
  }
  return ipaddr.isValid(entry);
}
