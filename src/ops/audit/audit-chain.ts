import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The tamper-evident audit line format. Every line is one JSON object with fields in a fixed
 * order; `prev_hash` is the SHA-256 of the previous line's bytes (the first line chains from a
 * genesis value bound to the node), and `mac` is an HMAC-SHA-256 over the line without `mac`, so
 * removing, changing or reordering lines breaks the chain, and a forger without the secret cannot
 * rebuild it.
 */
export interface AuditEntry {
  event: string;
  decision?: 'allow' | 'deny';
  actor?: string | null;
  account_id?: string | null;
  source_ip?: string | null;
  request_id?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
  event_id?: string;
  position?: string;
}

export interface AuditLine extends AuditEntry {
  ts: string;
  schema: 1;
  seq: number;
  server_id: string;
  prev_hash: string;
  mac: string;
}

export const genesisHash = (serverId: string) => sha256(`certledger-audit-v1|${serverId}`);
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function formatLine(secret: string, head: { ts: string; seq: number; server_id: string; prev_hash: string }, entry: AuditEntry): string {
  const body = {
    ts: head.ts,
    schema: 1,
    seq: head.seq,
    server_id: head.server_id,
    prev_hash: head.prev_hash,
    event: entry.event,
    ...(entry.decision ? { decision: entry.decision } : {}),
    ...(entry.actor ? { actor: entry.actor } : {}),
    ...(entry.account_id ? { account_id: entry.account_id } : {}),
    ...(entry.source_ip ? { source_ip: entry.source_ip } : {}),
    ...(entry.request_id ? { request_id: entry.request_id } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.details ? { details: entry.details } : {}),
    ...(entry.event_id ? { event_id: entry.event_id } : {}),
    ...(entry.position ? { position: entry.position } : {}),
  };
  const unsigned = JSON.stringify(body);
  return JSON.stringify({ ...body, mac: mac(secret, unsigned) });
}

function mac(secret: string, text: string): string {
  return `hmac-sha256:${createHmac('sha256', secret).update(text).digest('hex')}`;
}

export interface VerifyResult {
  ok: boolean;
  lines: number;
  /** First break: 1-based line number and the reason. */
  error?: { line: number; reason: string };
}

/** Checks every line of one node's audit file in order. */
export function verifyChain(text: string, secret: string): VerifyResult {
  const lines = text.split('\n').filter((l, i, all) => l.length > 0 || i < all.length - 1);
  let prevHash: string | null = null;
  let prevSeq = 0;
  let serverId: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i];
    let line: AuditLine;
    try {
      line = JSON.parse(raw);
    } catch {
      return { ok: false, lines: i, error: { line: n, reason: 'not valid JSON' } };
    }
    const { mac: given, ...rest } = line;
    const expected = mac(secret, JSON.stringify(rest));
    if (typeof given !== 'string' || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      return { ok: false, lines: i, error: { line: n, reason: 'MAC does not match: the line was changed, or was written with another secret' } };
    }
    if (serverId === null) serverId = line.server_id;
    if (line.server_id !== serverId) return { ok: false, lines: i, error: { line: n, reason: `written by server ${line.server_id}, not ${serverId}` } };
    const expectedPrev = prevHash ?? genesisHash(serverId);
    if (line.prev_hash !== expectedPrev) {
      return { ok: false, lines: i, error: { line: n, reason: i === 0 ? 'does not start the chain (lines were removed before it)' : 'prev_hash does not match the previous line (a line was removed, changed or reordered)' } };
    }
    if (line.seq !== prevSeq + 1) return { ok: false, lines: i, error: { line: n, reason: `seq ${line.seq} follows ${prevSeq} (lines missing or reordered)` } };
    prevSeq = line.seq;
    prevHash = sha256(raw);
  }
  return { ok: true, lines: lines.length };
}
