import type { AcmeUrls } from '../urls';
import type { NonceStore } from '../../db/nonce-store';

/** What the ACME web edge needs besides the runtime: URL builder and nonces. */
export interface AcmeContext {
  urls: AcmeUrls;
  nonces: NonceStore;
  /** Retry-After for processing orders, authorizations and challenges (acme.retry_after). */
  pollRetryAfterMs: number;
}

export const ACME_CONTEXT = Symbol('certledger.acme-context');
