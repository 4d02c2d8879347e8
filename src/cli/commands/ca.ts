import { webcrypto } from 'node:crypto';
import { openCa } from '../../runtime/acme-services';
import { CrlBuilder } from '../../ca/crl-builder';
import { x509 } from '../../ca/crypto';
import { parseAndCheckCsr } from '../../ca/csr';
import { type GlobalOptions, readConfig, withRuntime } from '../context';
import { CliError } from '../exit-codes';

/** `ca test`: signs an ephemeral CSR with the configured backend and checks the chain it returns. */
export async function caTest(opts: GlobalOptions): Promise<void> {
  const { config } = readConfig(opts);
  const ca = await openCa(config);
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const name = 'ca-test.certledger.invalid';
  const csrDer = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  const csr = await parseAndCheckCsr(Buffer.from(csrDer.rawData), [name], '');
  const issued = await ca.issue({ csr, notBefore: null, notAfter: null });
  const leaf = new x509.X509Certificate(new Uint8Array(issued.leafDer));
  const intermediate = new x509.X509Certificate(ca.intermediatePem());
  const root = new x509.X509Certificate(ca.rootPem());
  const checks = [
    ['leaf signed by the intermediate', await leaf.verify({ publicKey: intermediate.publicKey, signatureOnly: true })],
    ['intermediate signed by the root', await intermediate.verify({ publicKey: root.publicKey, signatureOnly: true })],
    ['root self-signed', await root.verify({ signatureOnly: true })],
  ] as const;
  const out = process.stdout;
  out.write(`backend:      ${ca.name}\n`);
  out.write(`root:         ${root.subject} (until ${root.notAfter.toISOString()})\n`);
  out.write(`intermediate: ${intermediate.subject} (until ${intermediate.notAfter.toISOString()})\n`);
  out.write(`test leaf:    serial ${issued.serial}, ${issued.notBefore.toISOString()} .. ${issued.notAfter.toISOString()}\n`);
  for (const [what, ok] of checks) out.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (checks.some(([, ok]) => !ok)) throw new CliError('the CA returned a chain that does not verify');
}

/** `crl rebuild`: builds a new CRL now (the next CRL number). Refused when CRLs are disabled. */
export async function crlRebuild(opts: GlobalOptions): Promise<void> {
  const { config } = readConfig(opts);
  if (!config.crl.enabled) throw new CliError('CRLs are disabled (crl.enabled: false): nothing to rebuild');
  await withRuntime(opts, async (rt) => {
    const ca = await openCa(config);
    const builder = new CrlBuilder(rt.db.pool, ca, { validityMs: config.crl.validity, refreshMs: config.crl.refresh });
    const { crl } = await builder.refresh(new Date(), true);
    process.stdout.write(`CRL number ${crl.crlNumber} built: thisUpdate ${crl.thisUpdate.toISOString()}, nextUpdate ${crl.nextUpdate.toISOString()}, ${crl.der.length} bytes\n`);
  });
}
