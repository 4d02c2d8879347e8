import { FinalizeOrderCommand, FinalizeOrderHandler, NewOrderCommand, NewOrderHandler, RespondChallengeCommand, RespondChallengeHandler } from '../../src/commands/order.commands';
import { loadAuthorization, loadOrderView, type OrderView } from '../../src/commands/order-view';
import type { AcmeHarness } from './acme-harness';
import { makeCsr, testKeys } from './csr';

/** Polls `probe` until it returns a value that satisfies `done` (never a fixed sleep). */
export async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type TestAccount = Awaited<ReturnType<AcmeHarness['account']>>;

/** A new order for `names` through the newOrder handler. */
export async function newOrder(h: AcmeHarness, account: TestAccount, names: string[]): Promise<OrderView> {
  return new NewOrderHandler(h.deps).execute(new NewOrderCommand(account.accountId, { identifiers: names.map((value) => ({ type: 'dns', value })) }, {}));
}

/**
 * Answers every http-01 challenge of the order on the rig, asks for validation through the
 * challenge handler (which validates at once, as in production) and waits until the order is ready.
 */
export async function readyOrder(h: AcmeHarness, account: TestAccount, names: string[]): Promise<OrderView> {
  const view = await newOrder(h, account, names);
  for (const authz of view.authorizations) {
    if (authz.status === 'valid') continue;
    const challenge = authz.challenges.find((c) => c.type === 'http-01')!;
    h.rig.http.set(challenge.token, `${challenge.token}.${account.thumbprint}`);
    await new RespondChallengeHandler(h.deps).execute(new RespondChallengeCommand(account.accountId, authz.authzId, challenge.challengeId, account.key.jwk, {}));
  }
  for (const authz of view.authorizations) {
    await until(() => loadAuthorization(h.deps, authz.authzId), (a) => a.state?.status !== 'pending');
  }
  return (await loadOrderView(h.deps, view.order.orderId))!;
}

/** A ready order finalized through the finalize handler with a fresh certificate key. */
export async function issuedOrder(h: AcmeHarness, account: TestAccount, names: string[]) {
  const ready = await readyOrder(h, account, names);
  const certKeys = await testKeys('P-256');
  const csr = (await makeCsr(names, { keys: certKeys })).toString('base64url');
  const view = await new FinalizeOrderHandler(h.deps).execute(new FinalizeOrderCommand(account.accountId, ready.order.orderId, { csr }, account.thumbprint, {}));
  return { view, certKeys, csr };
}
