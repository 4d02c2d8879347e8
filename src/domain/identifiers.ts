import { authorizationName, dnsNameProblem, isWildcard } from './dns-name';
import { AcmeError, type AcmeErrorType, type Identifier, type Subproblem } from './errors';
import { canonicalIp } from './policy/ip-identifier';

export { authorizationName, dnsNameProblem, isWildcard } from './dns-name';

/**
 * How an identifier names the authorization that proves it: the authorization's name, after a `*`
 * when a wildcard asks for it (a wildcard is proven by an authorization of its own).
 */
export function authorizationKey(value: string): string {
  return `${isWildcard(value) ? '*' : ''}${authorizationName(value)}`;
}

/**
 * Order identifiers (RFC 8555 §7.1.4, §7.4): dns only, lowercased, deduplicated, each a valid host
 * name (see dns-name.ts). Every bad identifier gets its own subproblem naming it, so the client
 * learns about all of them from one response.
 */
export interface IdentifierPolicy {
  maxIdentifiers: number;
  /** Whether "*.example.com" may be ordered (default true). */
  allowWildcard?: boolean;
  /** Whether IP address identifiers (RFC 8738) may be ordered (default false). */
  allowIp?: boolean;
}

export function normalizeIdentifiers(input: unknown, policy: IdentifierPolicy): Identifier[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new AcmeError('malformed', 'identifiers must be a non-empty array');
  }
  if (input.length > policy.maxIdentifiers) {
    throw new AcmeError('rejectedIdentifier', `an order may hold at most ${policy.maxIdentifiers} identifiers (got ${input.length})`);
  }
  const problems: Subproblem[] = [];
  const accepted = new Map<string, Identifier>();
  for (const raw of input) {
    const checked = checkIdentifier(raw, policy);
    if ('problem' in checked) problems.push(checked.problem);
    else if (!accepted.has(checked.value)) accepted.set(checked.value, checked);
  }
  if (problems.length > 0) throw refusal(problems);
  return [...accepted.values()];
}

function checkIdentifier(raw: unknown, policy: IdentifierPolicy): Identifier | { problem: Subproblem } {
  const id = raw as Partial<Record<keyof Identifier, unknown>> | null;
  if (!id || typeof id !== 'object' || typeof id.type !== 'string' || typeof id.value !== 'string') {
    return { problem: { type: 'malformed', detail: `identifier ${JSON.stringify(raw) ?? 'undefined'} must be an object with string "type" and "value"` } };
  }
  const identifier = { type: id.type, value: id.value };
  if (id.type === 'ip') {
    if (!policy.allowIp) {
      const detail = `IP address identifiers (RFC 8738) are not issued by this CA; order a DNS name instead of ${id.value}`;
      return { problem: { type: 'rejectedIdentifier', detail, identifier } };
    }
    const checked = canonicalIp(id.value);
    if ('problem' in checked) return { problem: { type: 'rejectedIdentifier', detail: `invalid IP identifier: ${checked.problem}`, identifier } };
    return { type: 'ip', value: checked.ip };
  }
  if (id.type !== 'dns') {
    const detail = `identifier type '${id.type}' is not supported; this CA issues for dns identifiers only`;
    return { problem: { type: 'unsupportedIdentifier', detail, identifier } };
  }
  const value = id.value.toLowerCase();
  const problem = dnsNameProblem(value);
  if (problem) return { problem: { type: 'rejectedIdentifier', detail: `invalid DNS name '${id.value}': ${problem}`, identifier } };
  if (isWildcard(value) && policy.allowWildcard === false) {
    return { problem: { type: 'rejectedIdentifier', detail: `wildcard names such as '${id.value}' are not issued by this CA`, identifier } };
  }
  return { type: 'dns', value };
}

/** One problem stands alone; several are summarised under the type they share (else the broadest). */
function refusal(problems: Subproblem[]): AcmeError {
  if (problems.length === 1) return new AcmeError(problems[0].type, problems[0].detail, problems);
  const types = new Set(problems.map((p) => p.type));
  const type: AcmeErrorType = types.size === 1 ? problems[0].type : types.has('malformed') ? 'malformed' : 'rejectedIdentifier';
  const named = problems.map((p) => (p.identifier ? `'${p.identifier.value}'` : 'a malformed entry')).join(', ');
  return new AcmeError(type, `${problems.length} identifiers were refused: ${named}; see subproblems`, problems);
}
