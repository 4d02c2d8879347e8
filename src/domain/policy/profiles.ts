import { AcmeError, type Identifier } from '../errors';
import { isWildcard } from '../dns-name';

/**
 * Certificate profiles (the ACME profiles extension, draft-aaron-acme-profiles): named sets of
 * issuance rules from configuration, listed in the directory's `meta.profiles` and chosen by an
 * order's `profile` field. The chosen name is recorded in OrderCreated and CertificateIssued.
 */
export interface CertificateProfile {
  name: string;
  description: string;
  /** Certificate validity; null = the CA's default (ca.validity). */
  validityMs: number | null;
  /** Key types a CSR may use: "rsa", "ec"; empty = any the key policy accepts. */
  keyTypes: string[];
  clientAuth: boolean;
  allowWildcard: boolean;
  allowIp: boolean;
  /** Put the first name in the subject CN (false: empty subject, critical SAN). */
  commonName: boolean;
}

export interface ProfilePolicy {
  profiles: CertificateProfile[];
  /** Used when an order names none; null = the first profile. */
  defaultProfile: string | null;
}

/** The profile an order gets: the one it names, else the default; null when none are configured. */
export function chooseProfile(requested: unknown, policy: ProfilePolicy | undefined): CertificateProfile | null {
  const profiles = policy?.profiles ?? [];
  if (requested === undefined || requested === null) {
    if (profiles.length === 0) return null;
    const name = policy!.defaultProfile ?? profiles[0].name;
    return profiles.find((p) => p.name === name) ?? profiles[0];
  }
  if (typeof requested !== 'string') throw new AcmeError('malformed', 'the order\'s "profile" must be a string naming one of the directory\'s meta.profiles');
  const found = profiles.find((p) => p.name === requested);
  if (!found) {
    const offered = profiles.length ? `offered: ${profiles.map((p) => p.name).join(', ')}` : 'this server offers no profiles';
    throw new AcmeError('invalidProfile', `profile ${JSON.stringify(requested)} is not offered (${offered})`);
  }
  return found;
}

/** The order's identifiers against what its profile allows (each refusal names its identifier). */
export function checkProfileIdentifiers(profile: CertificateProfile | null, identifiers: Identifier[]): void {
  if (!profile) return;
  const refused = identifiers.filter((i) => (i.type === 'dns' && isWildcard(i.value) && !profile.allowWildcard) || (i.type === 'ip' && !profile.allowIp));
  if (refused.length === 0) return;
  throw new AcmeError(
    'rejectedIdentifier',
    `profile ${profile.name} does not allow ${refused.map((i) => i.value).join(', ')}`,
    refused.map((identifier) => ({ type: 'rejectedIdentifier' as const, detail: `${identifier.type === 'ip' ? 'IP addresses' : 'wildcards'} are not issued under profile ${profile.name}`, identifier })),
  );
}

/** The CSR's key type ("rsa-2048", "ecdsa-p256") against the profile's key types. */
export function checkProfileKey(profile: CertificateProfile | null, keyName: string): void {
  if (!profile || profile.keyTypes.length === 0) return;
  const type = keyName.startsWith('rsa') ? 'rsa' : 'ec';
  if (!profile.keyTypes.includes(type)) {
    throw new AcmeError('badCSR', `profile ${profile.name} issues only for ${profile.keyTypes.join(', ')} keys, not ${keyName}`);
  }
}

/** The directory's `meta.profiles`: name to description. */
export const profilesMeta = (policy: ProfilePolicy): Record<string, string> => Object.fromEntries(policy.profiles.map((p) => [p.name, p.description]));
