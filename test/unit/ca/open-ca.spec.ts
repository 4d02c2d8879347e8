import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type CaConfigLike, openCa } from '../../../src/ca/open-ca';
import { parseAndCheckCsr } from '../../../src/ca/csr';
import { InternalCa } from '../../../src/ca/internal/internal-ca';
import type { Config } from '../../../src/config/types';
import { DAY_MS, removeTempDirs, tempDir } from './support/ca-options';
import { csrDer } from './support/keys-and-csrs';
import { verifyChain } from './support/openssl';

afterAll(removeTempDirs);

// The loaded configuration is accepted as it is.
export const acceptsConfig = (config: Config): CaConfigLike => config;

function config(dataDir: string, ca: Partial<CaConfigLike['ca']> = {}, internal: Partial<CaConfigLike['ca']['internal']> = {}): CaConfigLike {
  return {
    data_dir: dataDir,
    acme: { max_validity: 100 * DAY_MS },
    ca: {
      backend: 'internal',
      validity: 30 * DAY_MS,
      client_auth: false,
      crl_url: null,
      issuer_url: null,
      internal: { key_type: 'ecdsa-p256', root_cert_file: null, intermediate_cert_file: null, intermediate_key_file: null, key_passphrase_env: null, ...internal },
      ...ca,
    },
  };
}

describe('openCa', () => {
  test('unknown backends are an error naming the known ones', async () => {
    await expect(openCa(config(tempDir('factory'), { backend: 'acmeproxy' }))).rejects.toThrow('unknown ca.backend "acmeproxy" (known: internal)');
  });

  test('"internal" gives an internal CA, generated on first open, that issues with the configured validity', async () => {
    const now = new Date();
    const dir = tempDir('factory');
    const ca = await openCa(config(dir), { clock: () => now });
    expect(ca).toBeInstanceOf(InternalCa);
    expect(ca.name).toBe('internal');
    expect(ca.generated).toBe(true);
    expect((await openCa(config(dir))).generated).toBe(false);
    const issued = await ca.issue({ csr: await parseAndCheckCsr(await csrDer(['f.example.com']), ['f.example.com']) });
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(30 * DAY_MS);
    expect(verifyChain(ca.rootPem(), ca.intermediatePem(), issued.certificatePem)).toMatch(/OK/);
  });

  test('the key passphrase comes from the named environment variable, which must be set', async () => {
    const sourceDir = tempDir('factory-src');
    const source = await openCa(config(sourceDir));
    const { intermediate } = source.issuerCertificates();
    const caDir = join(sourceDir, 'ca');
    const files = tempDir('factory-files');
    const encrypted = join(files, 'intermediate.key');
    execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', join(caDir, 'intermediate.key'), '-out', encrypted, '-passout', 'pass:from-env']);
    // Without the variable nothing is opened; with it the encrypted key loads.
    const internal = { root_cert_file: join(caDir, 'root.pem'), intermediate_cert_file: join(caDir, 'intermediate.pem'), intermediate_key_file: encrypted, key_passphrase_env: 'CA_KEY_PASS' };
    await expect(openCa(config(files, {}, internal), { env: {} })).rejects.toThrow('ca.internal.key_passphrase_env names the environment variable CA_KEY_PASS, which is not set');
    const ca = await openCa(config(files, {}, internal), { env: { CA_KEY_PASS: 'from-env' } });
    expect(ca.issuerCertificates().intermediate.equal(intermediate)).toBe(true);
  });
});
