import type { CaBackend } from '../../../src/ca/ca-backend';
import { InternalCa } from '../../../src/ca/internal/internal-ca';
import { SIGNING_TEST_NAME, signingTest } from '../../../src/ca/signing-test';
import { caOptions, removeTempDirs, tempDir } from './support/ca-options';

afterAll(removeTempDirs);

const NOW = new Date();

/** The signing check `ca test` prints: it passes a sound CA and names the link that breaks. */
describe('signingTest', () => {
  test('a sound CA passes every check, each named', async () => {
    const ca = await InternalCa.open(caOptions(tempDir('signing'), NOW));
    const result = await signingTest(ca);
    expect(result.checks.map((c) => [c.check, c.ok])).toEqual([
      ['chain served as the leaf then the intermediate', true],
      [`leaf names ${SIGNING_TEST_NAME}`, true],
      ['leaf signed by the intermediate', true],
      ['intermediate signed by the root', true],
      ['root self-signed', true],
    ]);
    expect(result.ok).toBe(true);
  });

  test('a CA that announces another root fails the link to it, and the whole check', async () => {
    const ca = await InternalCa.open(caOptions(tempDir('signing-a'), NOW));
    const other = await InternalCa.open(caOptions(tempDir('signing-b'), NOW));
    const wrongRoot: CaBackend = Object.assign(Object.create(ca) as CaBackend, {
      issuerCertificates: () => ({ intermediate: ca.issuerCertificates().intermediate, root: other.issuerCertificates().root }),
    });
    const result = await signingTest(wrongRoot);
    expect(result.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(['intermediate signed by the root']);
    expect(result.ok).toBe(false);
  });
});
