import { Resolver } from 'node:dns/promises';
import { validateContact } from '../domain/contact';
import { AcmeError } from '../domain/errors';

/** What the CA accepts as an account contact, beyond the form RFC 8555 requires. */
export interface ContactPolicy {
  /** Mail domains accepted (a listed domain covers its subdomains); empty: any. */
  domains: string[];
  /** Refuse a mail domain with neither an MX nor an address record. */
  mxCheck: boolean;
}

export interface MailDomainResolver {
  resolveMx(domain: string): Promise<unknown[]>;
  resolve4(domain: string): Promise<unknown[]>;
  resolve6(domain: string): Promise<unknown[]>;
}

/** The resolver of the MX check: the validation resolvers when configured, else the system's. */
export function mailDomainResolver(servers: string[], timeoutMs: number): MailDomainResolver {
  const r = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length > 0) r.setServers(servers);
  return r;
}

// A name that definitely has no such record, as opposed to a resolver that could not answer.
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

async function hasRecords(lookup: () => Promise<unknown[]>): Promise<boolean | null> {
  try {
    return (await lookup()).length > 0;
  } catch (e) {
    return ABSENT.has((e as { code?: string }).code ?? '') ? false : null;
  }
}

/**
 * Checks the contacts of a newAccount or account update against the policy. A mail domain is
 * refused when it is not on the allow-list, or (with the MX check) when DNS says it has neither an
 * MX nor an A/AAAA record (RFC 5321 §5.1). A resolver that cannot answer does not refuse anyone.
 */
export async function assertContactsAllowed(contact: unknown, policy: ContactPolicy, resolver: MailDomainResolver): Promise<void> {
  if (contact === undefined) return;
  const addresses = validateContact(contact);
  for (const c of addresses) {
    const domain = c.slice(c.lastIndexOf('@') + 1);
    if (policy.domains.length > 0 && !policy.domains.some((d) => domain === d || domain.endsWith(`.${d}`))) {
      throw new AcmeError('invalidContact', `contact '${c}': this CA accepts contact addresses at ${policy.domains.join(', ')} only`);
    }
    if (!policy.mxCheck) continue;
    const mx = await hasRecords(() => resolver.resolveMx(domain));
    if (mx !== false) continue;
    const a = await hasRecords(() => resolver.resolve4(domain));
    const aaaa = a ? a : await hasRecords(() => resolver.resolve6(domain));
    if (a === false && aaaa === false) throw new AcmeError('invalidContact', `contact '${c}': the domain ${domain} has no MX or address record, so it cannot receive mail`);
  }
}
