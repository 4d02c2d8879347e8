import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256, the form fingerprints take in events and read models. */
export const sha256Hex = (data: Uint8Array | ArrayBuffer): string => createHash('sha256').update(new Uint8Array(data)).digest('hex');

/** DER INTEGER of a non-negative number (e.g. the CRL number extension's value). */
export function derInteger(n: bigint): Uint8Array<ArrayBuffer> {
  if (n < 0n) throw new RangeError('derInteger takes non-negative numbers');
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let content = Buffer.from(hex, 'hex');
  if (content[0] & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
  if (content.length > 127) throw new RangeError('derInteger supports up to 127 content bytes');
  return Uint8Array.from(Buffer.concat([Buffer.from([0x02, content.length]), content]));
}
