import { dnsNameProblem } from './dns-name';
import { AcmeError } from './errors';

/**
 * Account contacts (RFC 8555 §7.3): mailto URLs only, one address each, no hfields, a sane
 * address whose domain is a valid host name, at most 10. The domain is lowercased (it is
 * case-insensitive); the local part is kept as sent.
 */
export const MAX_CONTACTS = 10;

const LOCAL_PART = /^[A-Za-z0-9.!#$%&'*+/=^_`{|}~-]+$/;
const URL_SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s;

export function validateContact(input: unknown): string[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw new AcmeError('malformed', 'contact must be an array of URLs');
  if (input.length > MAX_CONTACTS) throw new AcmeError('malformed', `at most ${MAX_CONTACTS} contacts are accepted (got ${input.length})`);
  return input.map(validateOne);
}

function validateOne(c: unknown): string {
  if (typeof c !== 'string') throw new AcmeError('malformed', 'each contact must be a string URL');
  const m = URL_SCHEME.exec(c);
  if (!m) throw new AcmeError('invalidContact', `contact '${c}' is not a URL`);
  if (m[1].toLowerCase() !== 'mailto') {
    throw new AcmeError('unsupportedContact', `contact scheme '${m[1]}' is not supported; use mailto:`);
  }
  const address = m[2];
  if (address.includes('?')) throw new AcmeError('invalidContact', `contact '${c}' must not carry hfields ('?…')`);
  if (address.includes(',')) throw new AcmeError('invalidContact', `contact '${c}' must hold exactly one address`);
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (at <= 0 || !LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw new AcmeError('invalidContact', `contact '${c}' is not a valid email address`);
  }
  const problem = domain.startsWith('*') ? 'a wildcard is not a mail domain' : dnsNameProblem(domain);
  if (problem) throw new AcmeError('invalidContact', `contact '${c}' has an invalid domain: ${problem}`);
  return `mailto:${local}@${domain}`;
}
