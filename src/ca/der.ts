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

/** Header length and content length of the DER element starting at `at` (definite lengths only, as DER requires). */
function elementAt(der: Uint8Array, at: number): { header: number; length: number } {
  const first = der[at + 1];
  if (first === undefined) throw new RangeError('DER element is truncated');
  if (first < 0x80) return { header: 2, length: first };
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new RangeError('DER length is indefinite or too long');
  let length = 0;
  for (let k = 0; k < count; k++) length = length * 256 + der[at + 2 + k];
  return { header: 2 + count, length };
}

/**
 * The element at `index` inside the outer SEQUENCE, as its exact bytes. The first one is the
 * signed part of a CSR, certificate or CRL (the bytes its signature covers).
 */
export function derChild(der: Uint8Array, index: number): Uint8Array {
  const outer = elementAt(der, 0);
  const end = outer.header + outer.length;
  if (end > der.length) throw new RangeError('DER element is truncated');
  let at = outer.header;
  for (let i = 0; at < end; i++) {
    const e = elementAt(der, at);
    const next = at + e.header + e.length;
    if (next > end) throw new RangeError('DER element is truncated');
    if (i === index) return der.subarray(at, next);
    at = next;
  }
  throw new RangeError(`DER SEQUENCE has no element ${index}`);
}

/** The signed part of a CSR, certificate or CRL: the first element inside the outer SEQUENCE. */
export const derFirstChild = (der: Uint8Array): Uint8Array => derChild(der, 0);

function header(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

/** SEQUENCE of already encoded elements. */
export function derSequence(elements: Uint8Array[]): Buffer {
  const length = elements.reduce((n, e) => n + e.length, 0);
  return Buffer.concat([header(0x30, length), ...elements]);
}

/** BIT STRING of whole bytes (no unused bits). */
export function derBitString(bytes: Uint8Array): Buffer {
  return Buffer.concat([header(0x03, bytes.length + 1), Buffer.from([0]), bytes]);
}
