import type { AcmeUrls } from '../urls';
import type { NonceStore } from '../../db/nonce-store';

/** What the ACME web edge needs besides the runtime: URL builder and nonces. */
export interface AcmeContext {
  urls: AcmeUrls;
  nonces: NonceStore;
}

export const ACME_CONTEXT = Symbol('certledger.acme-context');
