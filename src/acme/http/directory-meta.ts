import type { WireDirectoryMeta } from '../wire';

/** The directory's `meta` object (RFC 8555 §7.1.1), from configuration. */
export type DirectoryMeta = WireDirectoryMeta;

export const DIRECTORY_META = Symbol('certledger.directory-meta');

export function directoryMeta(acme: {
  terms_of_service: string | null;
  website: string | null;
  caa_identities: string[];
  eab_required: boolean;
  profiles?: Array<{ name: string; description: string }>;
}): DirectoryMeta {
  return {
    ...(acme.terms_of_service ? { termsOfService: acme.terms_of_service } : {}),
    ...(acme.website ? { website: acme.website } : {}),
    ...(acme.caa_identities.length ? { caaIdentities: acme.caa_identities } : {}),
    externalAccountRequired: acme.eab_required,
    ...(acme.profiles?.length ? { profiles: Object.fromEntries(acme.profiles.map((p) => [p.name, p.description])) } : {}),
  };
}
