import { aLabelProblem } from './policy/idna';

/**
 * Host name syntax shared by identifiers and contact addresses: LDH labels of 1-63 characters,
 * 253 in all, at least two labels, no trailing dot, a top-level label that is not all digits (so
 * no IPv4 address passes as a name), and a wildcard only as the whole leftmost label.
 */
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_NAME_LENGTH = 253;

/** Why `value` (already lowercased) is not an acceptable DNS name, or null when it is. */
export function dnsNameProblem(value: string): string | null {
  if (value.length === 0) return 'identifier value is empty';
  if (value.length > MAX_NAME_LENGTH) return `name is ${value.length} characters long (the limit is ${MAX_NAME_LENGTH})`;
  if (value.endsWith('.')) return 'name must not end with a dot';
  if (/[^\x00-\x7f]/.test(value)) return 'name holds non-ASCII characters; send internationalized names in their punycode (xn--) form';
  const labels = value.split('.');
  const wildcard = labels[0] === '*';
  const host = wildcard ? labels.slice(1) : labels;
  if (value.includes('*') && (!wildcard || host.some((l) => l.includes('*')))) {
    return 'a wildcard is allowed only as the whole leftmost label ("*.example.com")';
  }
  if (host.length < 2) return 'name must have at least two labels';
  for (const label of host) {
    const problem = labelProblem(label);
    if (problem) return problem;
  }
  if (/^\d+$/.test(host[host.length - 1])) return 'the top-level label must not be all digits (IP addresses are not supported)';
  return null;
}

function labelProblem(label: string): string | null {
  if (label.length === 0) return 'name has an empty label';
  if (label.length > 63) return `label '${label.slice(0, 20)}…' is longer than 63 characters`;
  if (!LDH_LABEL.test(label)) return `label '${label}' must hold only letters, digits and inner hyphens`;
  // RFC 5891 §4.2.3.1: "??--" is reserved; of those only punycode ("xn--") labels are in use.
  // ("xn--" alone cannot get here: a label never ends with a hyphen.)
  if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
    return `label '${label}' has hyphens in its third and fourth positions, which only punycode (xn--) labels may have`;
  }
  if (label.startsWith('xn--')) return aLabelProblem(label);
  return null;
}

/** "*.example.com" */
export const isWildcard = (value: string): boolean => value.startsWith('*.');

/** The name an authorization is for: a wildcard's base domain (RFC 8555 §7.1.3). */
export const authorizationName = (value: string): string => (isWildcard(value) ? value.slice(2) : value);
