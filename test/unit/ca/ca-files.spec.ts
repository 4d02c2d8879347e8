import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAndCheckCsr } from '../../../src/ca/csr';
import { InternalCa, type InternalCaOptions } from '../../../src/ca/internal/internal-ca';
import { caOptions, removeTempDirs, tempDir } from './support/ca-options';
import { csrDer } from './support/keys-and-csrs';
import { certificateText, verifyChain } from './support/openssl';

afterAll(removeTempDirs);

const NOW = new Date();
const NAME = 'files.example.com';

async function issueAndVerify(ca: InternalCa): Promise<string> {
  const issued = await ca.issue({ csr: await parseAndCheckCsr(await csrDer([NAME]), [NAME]) });
  expect(verifyChain(ca.rootPem(), ca.intermediatePem(), issued.certificatePem)).toMatch(/leaf.pem: OK/);
  return issued.certificatePem;
}

/** A generated CA to take files from. */
async function generatedCa(label: string, extra: Partial<InternalCaOptions> = {}): Promise<{ dir: string; ca: InternalCa }> {
  const dataDir = tempDir(label);
  const ca = await InternalCa.open(caOptions(dataDir, NOW, extra));
  return { dir: join(dataDir, 'ca'), ca };
}

describe('the embedded CA folder', () => {
  test.each(['intermediate.key', 'intermediate.pem', 'root.pem'])('a set without %s is refused, naming it, and nothing is regenerated', async (missing) => {
    const { dir } = await generatedCa('ca-incomplete');
    const before = readdirSync(dir)
      .filter((f) => f !== missing)
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    unlinkSync(join(dir, missing));
    await expect(InternalCa.open(caOptions(join(dir, '..'), NOW))).rejects.toThrow(new RegExp(`is incomplete: .*${missing.replace('.', '\\.')} missing`));
    expect(existsSync(join(dir, missing))).toBe(false);
    expect(readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(before);
  });

  test('a folder holding only root.key is incomplete too; one without root.key (kept offline) loads', async () => {
    const { dir, ca } = await generatedCa('ca-rootkey');
    const offline = tempDir('ca-rootkey-only');
    execFileSync('mkdir', ['-p', join(offline, 'ca')]);
    copyFileSync(join(dir, 'root.key'), join(offline, 'ca', 'root.key'));
    await expect(InternalCa.open(caOptions(offline, NOW))).rejects.toThrow(/is incomplete: .*intermediate\.pem/);
    chmodSync(dir, 0o700);
    unlinkSync(join(dir, 'root.key'));
    const loaded = await InternalCa.open(caOptions(join(dir, '..'), NOW));
    expect(loaded.intermediatePem()).toBe(ca.intermediatePem());
  });

  test('an empty ca folder is filled', async () => {
    const dataDir = tempDir('ca-empty');
    execFileSync('mkdir', ['-p', join(dataDir, 'ca')]);
    const ca = await InternalCa.open(caOptions(dataDir, NOW));
    expect(ca.generated).toBe(true);
    await issueAndVerify(ca);
  });

  test('two instances starting at once on one data directory end up with the same CA', async () => {
    const dataDir = tempDir('ca-race');
    const cas = [new InternalCa(caOptions(dataDir, NOW)), new InternalCa(caOptions(dataDir, NOW)), new InternalCa(caOptions(dataDir, NOW))];
    await Promise.all(cas.map((c) => c.init()));
    expect(new Set(cas.map((c) => c.intermediatePem())).size).toBe(1);
    expect(cas.filter((c) => c.generated)).toHaveLength(1);
    expect(readdirSync(dataDir)).toEqual(['ca']);
  });

  test.each([
    ['ecdsa-p384', /ecdsa-with-SHA384/, /Public-Key: \(384 bit\)/],
    ['rsa-2048', /sha256WithRSAEncryption/, /Public-Key: \(2048 bit\)/],
  ] as const)('a %s CA signs leaves that openssl verifies', async (keyType, signature, keySize) => {
    const { ca } = await generatedCa(`ca-${keyType}`, { keyType });
    expect(certificateText(ca.intermediatePem())).toMatch(keySize);
    const leaf = await issueAndVerify(ca);
    expect(certificateText(leaf)).toMatch(signature);
  });
});

describe('configured CA files', () => {
  let source: { dir: string; ca: InternalCa };
  let files: Pick<InternalCaOptions, 'rootCertFile' | 'intermediateCertFile' | 'intermediateKeyFile'>;
  let encryptedKey: string;
  const dataDir = tempDir('ca-configured');
  beforeAll(async () => {
    source = await generatedCa('ca-source');
    files = { rootCertFile: join(source.dir, 'root.pem'), intermediateCertFile: join(source.dir, 'intermediate.pem'), intermediateKeyFile: join(source.dir, 'intermediate.key') };
    encryptedKey = join(tempDir('ca-enc'), 'intermediate.enc.key');
    execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', files.intermediateKeyFile!, '-out', encryptedKey, '-passout', 'pass:correct horse']);
  });

  test('plain PEM files load and issue; nothing is written to the data directory', async () => {
    const ca = await InternalCa.open(caOptions(dataDir, NOW, files));
    expect(ca.generated).toBe(false);
    expect(ca.intermediatePem()).toBe(source.ca.intermediatePem());
    await issueAndVerify(ca);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  test('an ENCRYPTED PRIVATE KEY loads with its passphrase', async () => {
    expect(readFileSync(encryptedKey, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const ca = await InternalCa.open(caOptions(dataDir, NOW, { ...files, intermediateKeyFile: encryptedKey, keyPassphrase: 'correct horse' }));
    await issueAndVerify(ca);
  });

  test('a wrong passphrase, or none, is an error naming the key file', async () => {
    const opts = { ...files, intermediateKeyFile: encryptedKey };
    await expect(InternalCa.open(caOptions(dataDir, NOW, { ...opts, keyPassphrase: 'wrong' }))).rejects.toThrow(`${encryptedKey}: cannot decrypt the private key: wrong passphrase`);
    await expect(InternalCa.open(caOptions(dataDir, NOW, opts))).rejects.toThrow(`${encryptedKey}: the private key is encrypted and no passphrase is configured`);
  });

  test('a traditional SEC1 "EC PRIVATE KEY" loads as well', async () => {
    const sec1 = join(tempDir('ca-sec1'), 'intermediate.key');
    execFileSync('openssl', ['ec', '-in', files.intermediateKeyFile!, '-out', sec1], { stdio: 'pipe' });
    expect(readFileSync(sec1, 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    await issueAndVerify(await InternalCa.open(caOptions(dataDir, NOW, { ...files, intermediateKeyFile: sec1 })));
  });

  test('a key that does not match the certificate is an error naming both files', async () => {
    const wrongKey = join(source.dir, 'root.key');
    await expect(InternalCa.open(caOptions(dataDir, NOW, { ...files, intermediateKeyFile: wrongKey }))).rejects.toThrow(
      `${wrongKey}: the private key does not match the certificate ${files.intermediateCertFile}`,
    );
  });

  test('an intermediate that the root did not sign, or that is not a CA, is refused', async () => {
    const other = await generatedCa('ca-other');
    const otherRoot = join(other.dir, 'root.pem');
    await expect(InternalCa.open(caOptions(dataDir, NOW, { ...files, rootCertFile: otherRoot }))).rejects.toThrow(`${files.intermediateCertFile}: not signed by the root certificate ${otherRoot}`);
    const leafFile = join(tempDir('ca-leaf'), 'leaf.pem');
    writeFileSync(leafFile, await issueAndVerify(source.ca));
    await expect(InternalCa.open(caOptions(dataDir, NOW, { ...files, intermediateCertFile: leafFile }))).rejects.toThrow(/does not match the certificate|not a CA certificate/);
  });

  test('unreadable, non-PEM and partly configured files are errors naming the problem', async () => {
    const missing = join(dataDir, 'nope.pem');
    await expect(InternalCa.open(caOptions(dataDir, NOW, { ...files, rootCertFile: missing }))).rejects.toThrow(`${missing}: cannot read the certificate file`);
    const garbage = join(tempDir('ca-garbage'), 'garbage.pem');
    writeFileSync(garbage, 'hello');
    await expect(InternalCa.open(caOptions(dataDir, NOW, { ...files, intermediateCertFile: garbage }))).rejects.toThrow(`${garbage}: not a PEM certificate`);
    await expect(InternalCa.open(caOptions(dataDir, NOW, { ...files, intermediateKeyFile: garbage }))).rejects.toThrow(`${garbage}: not a PEM private key`);
    await expect(InternalCa.open(caOptions(dataDir, NOW, { intermediateCertFile: files.intermediateCertFile }))).rejects.toThrow(/configured partly: the intermediate key file and the root certificate file must be given too/);
  });

  test('a failed init may be retried once the files are fixed', async () => {
    const keyFile = join(tempDir('ca-retry'), 'intermediate.key');
    const ca = new InternalCa(caOptions(dataDir, NOW, { ...files, intermediateKeyFile: keyFile }));
    await expect(ca.init()).rejects.toThrow(/cannot read the private key file/);
    copyFileSync(files.intermediateKeyFile!, keyFile);
    await ca.init();
    await issueAndVerify(ca);
  });
});
