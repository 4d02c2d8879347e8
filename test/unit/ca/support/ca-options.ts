import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InternalCaOptions } from '../../../../src/ca/internal/internal-ca';

export const DAY_MS = 86_400_000;

const created: string[] = [];

/** A fresh folder under the system temp folder, removed by removeTempDirs(). */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `certledger-${label}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Options of a generated ECDSA P-256 CA with CRL and issuer URLs, on a clock fixed at `now`. */
export function caOptions(dataDir: string, now: Date, extra: Partial<InternalCaOptions> = {}): InternalCaOptions {
  return {
    dataDir,
    keyType: 'ecdsa-p256',
    validityMs: 90 * DAY_MS,
    maxValidityMs: 397 * DAY_MS,
    clientAuth: false,
    crlUrl: 'http://ca.example.test/crl',
    issuerUrl: 'http://ca.example.test/issuer.cer',
    clock: () => now,
    ...extra,
  };
}
