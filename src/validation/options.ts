/** Validation settings (from the `validation` configuration section). */
export interface ValidationOptions {
  /** "host:port" or "host"; empty = the system resolver. */
  resolvers: string[];
  http01Port: number;
  tlsAlpn01Port: number;
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  maxRedirects: number;
  maxResponseBytes: number;
}

/** What an auditor needs to know about a validation: what was looked up, where we connected, what we saw. */
export interface ValidationRecord {
  type: string;
  hostname: string;
  port?: number;
  url?: string;
  addressesResolved: string[];
  addressUsed?: string;
  resolvers: string[];
  redirects?: string[];
  observed?: string;
  validatedAt?: string;
}
