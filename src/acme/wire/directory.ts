/** The directory's `meta` object (RFC 8555 §7.1.1, with the ACME profiles extension). */
export interface WireDirectoryMeta {
  termsOfService?: string;
  website?: string;
  caaIdentities?: string[];
  externalAccountRequired?: boolean;
  /** Profile name to description. */
  profiles?: Record<string, string>;
}

/** The directory (RFC 8555 §7.1.1), with `renewalInfo` of RFC 9773 §4.1. */
export interface WireDirectory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  newAuthz: string;
  revokeCert: string;
  keyChange: string;
  renewalInfo: string;
  meta: WireDirectoryMeta;
}
