import { CrlBuilder } from '../../ca/crl-builder';
import { openCa } from '../../ca/open-ca';
import { signingTest } from '../../ca/signing-test';
import { type GlobalOptions, readConfig, withRuntime } from '../context';
import { CliError } from '../exit-codes';

/** `ca test`: runs the signing check (src/ca/signing-test.ts) against the configured CA and prints each check. */
export async function caTest(opts: GlobalOptions): Promise<void> {
  const { config } = readConfig(opts);
  const ca = await openCa(config);
  const result = await signingTest(ca);
  const [, intermediate, root] = result.chain;
  const out = process.stdout;
  out.write(`backend:      ${ca.name}\n`);
  out.write(`root:         ${root.subject} (until ${root.notAfter.toISOString()})\n`);
  out.write(`intermediate: ${intermediate.subject} (until ${intermediate.notAfter.toISOString()})\n`);
  out.write(`test leaf:    serial ${result.issued.serial}, ${result.issued.notBefore.toISOString()} .. ${result.issued.notAfter.toISOString()}\n`);
  for (const { check, ok } of result.checks) out.write(`${ok ? 'ok  ' : 'FAIL'} ${check}\n`);
  if (!result.ok) throw new CliError('the CA returned a chain that does not verify');
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
