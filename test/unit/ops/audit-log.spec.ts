import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../../../src/ops/audit/audit-chain';
import { AuditLog } from '../../../src/ops/audit/audit-log';
import { ensureServerId } from '../../../src/ops/node-identity';

const SECRET = 'test-secret-test-secret-test-secret';
const NODE_A = '11111111-1111-4111-8111-111111111111';
const NODE_B = '22222222-2222-4222-8222-222222222222';

function writeLog(n: number): { file: string; lines: string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'certledger-audit-')), 'audit', 'audit.jsonl');
  const log = AuditLog.open(file, SECRET, NODE_A);
  for (let i = 1; i <= n; i++) log.append({ event: 'certificate.issue', decision: 'allow', details: { serial: `0${i}` }, position: `${i}/${i}` });
  log.close();
  return { file, lines: readFileSync(file, 'utf8').trim().split('\n') };
}

describe('audit chain', () => {
  test('an intact chain verifies, and resumes across reopen', () => {
    const { file } = writeLog(3);
    const again = AuditLog.open(file, SECRET, NODE_A);
    expect(again.recordedUpTo).toBe('3/3');
    again.append({ event: 'account.create', decision: 'allow' });
    again.close();
    const text = readFileSync(file, 'utf8');
    expect(verifyChain(text, SECRET)).toEqual({ ok: true, lines: 4 });
    expect(JSON.parse(text.trim().split('\n')[3]).seq).toBe(4);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('a removed line is found at the line after it', () => {
    const { lines } = writeLog(5);
    const r = verifyChain([...lines.slice(0, 2), ...lines.slice(3)].join('\n') + '\n', SECRET);
    expect(r.ok).toBe(false);
    expect(r.error).toEqual({ line: 3, reason: 'prev_hash does not match the previous line (a line was removed, changed or reordered)' });
  });

  test('a removed first line is found', () => {
    const { lines } = writeLog(3);
    expect(verifyChain(lines.slice(1).join('\n'), SECRET).error).toEqual({ line: 1, reason: 'does not start the chain (lines were removed before it)' });
  });

  test('a modified line fails its MAC', () => {
    const { lines } = writeLog(4);
    lines[1] = lines[1].replace('"serial":"02"', '"serial":"99"');
    const r = verifyChain(lines.join('\n'), SECRET);
    expect(r.error?.line).toBe(2);
    expect(r.error?.reason).toMatch(/MAC does not match/);
  });

  test('reordered lines are found', () => {
    const { lines } = writeLog(4);
    [lines[1], lines[2]] = [lines[2], lines[1]];
    const r = verifyChain(lines.join('\n'), SECRET);
    expect(r.error?.line).toBe(2);
  });

  test('a chain checked with another secret does not verify', () => {
    const { lines } = writeLog(2);
    expect(verifyChain(lines.join('\n'), 'another-secret').error?.line).toBe(1);
  });

  test('a file last written by another server is refused, naming both', () => {
    const { file } = writeLog(1);
    expect(() => AuditLog.open(file, SECRET, NODE_B)).toThrow(`the last audit line was written by server ${NODE_A}, but this node is server ${NODE_B}`);
  });
});

describe('node identity', () => {
  test('the server id is created once with mode 0600 and read back after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certledger-node-'));
    const id = ensureServerId(dir);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(statSync(join(dir, 'server_id')).mode & 0o777).toBe(0o600);
    expect(ensureServerId(dir)).toBe(id);
    writeFileSync(join(dir, 'server_id'), 'garbage');
    expect(() => ensureServerId(dir)).toThrow(/does not hold a server id/);
  });
});
