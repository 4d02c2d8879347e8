/**
 * Every URL the ACME server emits, built from server.external_url so they are absolute and right
 * behind a reverse proxy. Paths follow Boulder's layout, under /acme/.
 */
export const ACME_PATHS = {
  directory: '/directory',
  newNonce: '/acme/new-nonce',
  newAccount: '/acme/new-account',
  newOrder: '/acme/new-order',
  newAuthz: '/acme/new-authz',
  revokeCert: '/acme/revoke-cert',
  keyChange: '/acme/key-change',
  account: '/acme/acct',
  order: '/acme/order',
  authz: '/acme/authz',
  challenge: '/acme/chall',
  certificate: '/acme/cert',
  renewalInfo: '/acme/renewal-info',
} as const;

export class AcmeUrls {
  constructor(readonly base: string) {}

  private u(path: string): string {
    return `${this.base}${path}`;
  }

  directory = () => this.u(ACME_PATHS.directory);
  newNonce = () => this.u(ACME_PATHS.newNonce);
  newAccount = () => this.u(ACME_PATHS.newAccount);
  newOrder = () => this.u(ACME_PATHS.newOrder);
  newAuthz = () => this.u(ACME_PATHS.newAuthz);
  revokeCert = () => this.u(ACME_PATHS.revokeCert);
  keyChange = () => this.u(ACME_PATHS.keyChange);
  /** Prefix every `kid` must start with. */
  accountPrefix = () => this.u(`${ACME_PATHS.account}/`);
  account = (id: string) => this.u(`${ACME_PATHS.account}/${id}`);
  accountOrders = (id: string, cursor?: string) =>
    this.u(`${ACME_PATHS.account}/${id}/orders${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
  order = (id: string) => this.u(`${ACME_PATHS.order}/${id}`);
  finalize = (id: string) => this.u(`${ACME_PATHS.order}/${id}/finalize`);
  authz = (id: string) => this.u(`${ACME_PATHS.authz}/${id}`);
  challenge = (authzId: string, challengeId: string) => this.u(`${ACME_PATHS.challenge}/${authzId}/${challengeId}`);
  certificate = (id: string) => this.u(`${ACME_PATHS.certificate}/${id}`);
  renewalInfo = () => this.u(ACME_PATHS.renewalInfo);

  /** The URL a request was made to, as the client saw it (compared with the JWS `url` header). */
  requestUrl = (rawUrl: string) => this.u(rawUrl);
}
