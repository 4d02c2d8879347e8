import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AuditEntry, type AuditLine, formatLine, genesisHash, sha256 } from './audit-chain';

/**
 * This node's append-only audit file. Lines are written synchronously and in order; the chain
 * state (seq, previous hash) is read back from the last line at start, so it resumes across
 * restarts. A file whose last line another server wrote is refused: it was copied or restored
 * onto the wrong node.
 */
export class AuditLog {
  private seq = 0;
  private prevHash: string;
  private lastPosition: string | null = null;
  private fd: number;
  /** File size after our last write: a different size means another worker process wrote. */
  private knownSize = 0;

  private constructor(
    readonly file: string,
    private readonly secret: string,
    private readonly serverId: string,
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.prevHash = genesisHash(serverId);
    this.fd = openSync(file, 'a', 0o600);
    this.refresh();
  }

  /**
   * Re-reads the chain state from the end of the file when another process of this node appended
   * to it (worker processes take turns: the audit subscriber runs on one of them at a time).
   */
  refresh(): void {
    const size = fstatSync(this.fd).size;
    if (size === this.knownSize) return;
    this.knownSize = size;
    const file = this.file;
    const serverId = this.serverId;
    const last = readLastLine(file);
    if (last) {
      let line: AuditLine;
      try {
        line = JSON.parse(last);
      } catch {
        throw new Error(`${file}: the last line is not valid JSON; run 'certledger audit verify' and restore the file`);
      }
      if (line.server_id !== serverId) {
        throw new Error(`${file}: the last audit line was written by server ${line.server_id}, but this node is server ${serverId}; an audit file belongs to one node (was it copied from another host?)`);
      }
      this.seq = line.seq;
      this.prevHash = sha256(last);
      this.lastPosition = line.position ?? this.lastPosition;
    }
  }

  static open(file: string, secret: string, serverId: string): AuditLog {
    return new AuditLog(file, secret, serverId);
  }

  /** Position of the last event recorded, so a replay after a crash writes nothing twice. */
  get recordedUpTo(): string | null {
    return this.lastPosition;
  }

  append(entry: AuditEntry, now = new Date()): void {
    this.refresh();
    const full = formatLine(this.secret, { ts: now.toISOString(), seq: this.seq + 1, server_id: this.serverId, prev_hash: this.prevHash }, entry);
    this.knownSize += writeSync(this.fd, `${full}\n`);
    this.seq += 1;
    this.prevHash = sha256(full);
    if (entry.position) this.lastPosition = entry.position;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The last non-empty line of a file, read from its end. */
function readLastLine(file: string): string | null {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n').filter((l) => l.length > 0);
      if (lines.length >= 2 || start === 0) return lines[lines.length - 1] ?? null;
      chunk *= 4;
    }
  } finally {
    closeSync(fd);
  }
}
