import type { CaBackend, IssuedCertificate } from './ca-backend';
import { subtle, x509 } from './crypto';
import { parseAndCheckCsr } from './csr';

/**
 * The signing check of a CA backend, the only one (`certledger ca test` runs it): a CSR for a
 * throwaway key and a name under .invalid goes through the same CSR checks as a client's, is
 * issued, and the returned chain is verified link by link up to the root.
 */
export const SIGNING_TEST_NAME = 'ca-test.certledger.invalid';

export interface SigningTestResult {
  issued: IssuedCertificate;
  /** Leaf, intermediate, root. */
  chain: x509.X509Certificate[];
  checks: Array<{ check: string; ok: boolean }>;
  ok: boolean;
}

async function verifies(cert: x509.X509Certificate, issuer: x509.X509Certificate | null): Promise<boolean> {
  return cert.verify({ publicKey: issuer?.publicKey, signatureOnly: true }).catch(() => false);
}

export async function signingTest(ca: CaBackend): Promise<SigningTestResult> {
  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: SIGNING_TEST_NAME }])],
  });
  const csr = await parseAndCheckCsr(new Uint8Array(request.rawData), [SIGNING_TEST_NAME]);
  const issued = await ca.issue({ csr });
  const served = x509.PemConverter.decode(issued.chainPem).map((der) => new x509.X509Certificate(der));
  const leaf = new x509.X509Certificate(new Uint8Array(issued.der));
  const { intermediate, root } = ca.issuerCertificates();
  const checks = [
    { check: 'chain served as the leaf then the intermediate', ok: served.length === 2 && served[0].equal(leaf) && served[1].equal(intermediate) },
    { check: `leaf names ${SIGNING_TEST_NAME}`, ok: leaf.getExtension(x509.SubjectAlternativeNameExtension)?.names.items.some((n) => n.value === SIGNING_TEST_NAME) ?? false },
    { check: 'leaf signed by the intermediate', ok: await verifies(leaf, intermediate) },
    { check: 'intermediate signed by the root', ok: await verifies(intermediate, root) },
    { check: 'root self-signed', ok: await verifies(root, null) },
  ];
  return { issued, chain: [leaf, intermediate, root], checks, ok: checks.every((c) => c.ok) };
}
