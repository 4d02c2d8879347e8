import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './ca-options';

/** Runs the openssl command line on PEM files written to a fresh folder. */
export function writeTemp(files: Record<string, string | Buffer>): Record<string, string> {
  const dir = tempDir('openssl');
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], content);
  }
  return paths;
}

export function openssl(args: string[]): { status: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** `openssl verify -CAfile root -untrusted intermediate leaf`; returns its output, throws when it fails. */
export function verifyChain(rootPem: string, intermediatePem: string, leafPem: string, purpose = 'sslserver'): string {
  const p = writeTemp({ 'root.pem': rootPem, 'intermediate.pem': intermediatePem, 'leaf.pem': leafPem });
  return execFileSync('openssl', ['verify', '-purpose', purpose, '-CAfile', p['root.pem'], '-untrusted', p['intermediate.pem'], p['leaf.pem']], { encoding: 'utf8' });
}

export function certificateText(pem: string): string {
  const p = writeTemp({ 'cert.pem': pem });
  return execFileSync('openssl', ['x509', '-in', p['cert.pem'], '-noout', '-text'], { encoding: 'utf8' });
}
