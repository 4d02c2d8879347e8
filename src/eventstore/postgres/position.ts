/**
 * A PostgreSQL feed position is the pair (transaction id, sequence value), written "xid/seq".
 * Both are 64-bit: kept as bigint, never as JavaScript numbers.
 */
export interface PgPosition {
  xid: bigint;
  seq: bigint;
}

export function parsePosition(position: string): PgPosition {
  const m = /^(\d+)\/(\d+)$/.exec(position);
  if (!m) throw new Error(`invalid event store position '${position}' (expected "<xid>/<sequence>")`);
  return { xid: BigInt(m[1]), seq: BigInt(m[2]) };
}

export function formatPosition(xid: bigint | string, seq: bigint | string): string {
  return `${xid}/${seq}`;
}

export function comparePgPositions(a: string, b: string): number {
  const pa = parsePosition(a);
  const pb = parsePosition(b);
  if (pa.xid !== pb.xid) return pa.xid < pb.xid ? -1 : 1;
  if (pa.seq !== pb.seq) return pa.seq < pb.seq ? -1 : 1;
  return 0;
}
