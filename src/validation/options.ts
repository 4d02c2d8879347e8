/** Validation settings (from the `validation` configuration section). */
export interface ValidationOptions {
  /** DNS servers as "host:port" or "host" (IP addresses); empty = the system resolver's servers. */
  resolvers: string[];
  /** Port http-01 connects to (80 in production; a test rig's port otherwise). */
  http01Port: number;
  /** Port tls-alpn-01 connects to (443 in production). */
  tlsAlpn01Port: number;
  /** Connect to loopback, private, link-local and reserved addresses (tests and labs only). */
  allowPrivateNetworks: boolean;
  /** Time one whole validation may take: DNS, connections, redirects and reading the answer. */
  timeoutMs: number;
  /** Redirects http-01 follows; one more is refused. */
  maxRedirects: number;
  /** Largest http-01 response body read; a bigger one fails the challenge. */
  maxResponseBytes: number;
}

export const DEFAULT_MAX_REDIRECTS = 10;

/** Settings a caller may leave out, with the values a production CA uses. */
export const DEFAULT_VALIDATION_OPTIONS: ValidationOptions = {
  resolvers: [],
  http01Port: 80,
  tlsAlpn01Port: 443,
  allowPrivateNetworks: false,
  timeoutMs: 10_000,
  maxRedirects: DEFAULT_MAX_REDIRECTS,
  maxResponseBytes: 65_536,
};

export type { ValidationRecord, HttpRequestRecord } from './record';
