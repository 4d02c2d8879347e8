import type { WireIdentifier, WireProblem } from './problem';

export type WireOrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';

/** An order object (RFC 8555 §7.1.3, `profile` of the ACME profiles draft, `replaces` of RFC 9773 §5). */
export interface WireOrder {
  status: WireOrderStatus;
  expires: string;
  identifiers: WireIdentifier[];
  notBefore?: string;
  notAfter?: string;
  profile?: string;
  replaces?: string;
  authorizations: string[];
  finalize: string;
  certificate?: string;
  error?: WireProblem;
}
