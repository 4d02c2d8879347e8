import { AcmeError, type Identifier, type Subproblem } from './errors';

/**
 * Order identifiers (RFC 8555 §7.1.4, §7.4): dns only, lowercased, deduplicated, each a valid host
 * name (LDH labels of 1-63, 253 in all, at least two labels, no trailing dot, a TLD that is not all
 * digits) with a wildcard only as the whole leftmost label. Every bad identifier gets its own
 * subproblem, so the client learns about all of them at once.
 */
export interface IdentifierPolicy {
  maxIdentifiers: number;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function dnsNameProblem(value: string): string | null {
  if (value.length === 0) return 'identifier value is empty';
  if (value.length > 253) return `name is ${value.length} characters long (the limit is 253)`;
  if (value.endsWith('.')) return 'name must not end with a dot';
  const labels = value.split('.');
  const wildcard = labels[0] === '*';
  const host = wildcard ? labels.slice(1) : labels;
  if (value.includes('*') && (!wildcard || host.some((l) => l.includes('*')))) {
    return 'a wildcard is allowed only as the whole leftmost label ("*.example.com")';
  }
  if (host.length < 2) return 'name must have at least two labels';
  for (const label of host) {
    if (label.length === 0) return 'name has an empty label';
    if (label.length > 63) return `label '${label.slice(0, 20)}…' is longer than 63 characters`;
    if (!LABEL.test(label)) return `label '${label}' must hold only letters, digits and inner hyphens`;
  }
  if (/^\d+$/.test(host[host.length - 1])) return 'the top-level label must not be all digits (IP addresses are not supported)';
  return null;
}

export function normalizeIdentifiers(input: unknown, policy: IdentifierPolicy): Identifier[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new AcmeError('malformed', 'identifiers must be a non-empty array');
  }
  if (input.length > policy.maxIdentifiers) {
    throw new AcmeError('rejectedIdentifier', `an order may hold at most ${policy.maxIdentifiers} identifiers (got ${input.length})`);
  }
  const problems: Subproblem[] = [];
  const out: Identifier[] = [];
  const seen = new Set<string>();
  for (const raw of input) {
    const id = raw as Partial<Identifier> | null;
    if (!id || typeof id !== 'object' || typeof id.type !== 'string' || typeof id.value !== 'string') {
      throw new AcmeError('malformed', 'each identifier must be an object with string "type" and "value"');
    }
    const identifier = { type: id.type, value: id.value };
    if (id.type !== 'dns') {
      problems.push({
        type: id.type === 'ip' ? 'rejectedIdentifier' : 'unsupportedIdentifier',
        detail: `identifier type '${id.type}' is not supported; this CA issues for dns identifiers only`,
        identifier,
      });
      continue;
    }
    const value = id.value.toLowerCase();
    const problem = dnsNameProblem(value);
    if (problem) {
      problems.push({ type: 'rejectedIdentifier', detail: `invalid DNS name '${id.value}': ${problem}`, identifier });
      continue;
    }
    if (!seen.has(value)) {
      seen.add(value);
      out.push({ type: 'dns', value });
    }
  }
  if (problems.length === 1) throw new AcmeError(problems[0].type, problems[0].detail, problems);
  if (problems.length > 1) {
    throw new AcmeError('rejectedIdentifier', `${problems.length} identifiers were refused: see subproblems`, problems);
  }
  return out;
}

export const isWildcard = (value: string) => value.startsWith('*.');
/** The name an authorization is for: a wildcard's base domain (RFC 8555 §7.1.3). */
export const authorizationName = (value: string) => (isWildcard(value) ? value.slice(2) : value);
