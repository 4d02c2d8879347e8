/** An account object (RFC 8555 §7.1.2). */
export interface WireAccount {
  status: 'valid' | 'deactivated' | 'revoked';
  contact?: string[];
  termsOfServiceAgreed?: boolean;
  /** URL of the account's orders list. */
  orders: string;
}

/** An account's orders list (RFC 8555 §7.1.2.1); the next page is in a Link rel="next". */
export interface WireOrdersList {
  orders: string[];
}
