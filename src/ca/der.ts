import { createHash } from 'node:crypto';
import { bytesOf, DerCursor, readTlv } from './der-reader';

/** Lowercase hex SHA-256, the form fingerprints take in events and read models. */
export const sha256Hex = (data: Uint8Array | ArrayBuffer): string => createHash('sha256').update(new Uint8Array(data)).digest('hex');

/** DER INTEGER of a non-negative number (e.g. the CRL number extension's value). */
export function derInteger(n: bigint): Uint8Array<ArrayBuffer> {
  if (n < 0n) throw new RangeError('derInteger takes non-negative numbers');
  const hex = n.toString(16);
  const der = derUnsignedInteger(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
  // A content of more than 127 bytes would need the long length form.
  if (der[1] & 0x80) throw new RangeError('derInteger supports up to 127 content bytes');
  return Uint8Array.from(der);
}

/**
 * The element at `index` inside the outer SEQUENCE, as its exact bytes. The first one is the
 * signed part of a CSR, certificate or CRL (the bytes its signature covers).
 */
export function derChild(der: Uint8Array, index: number): Uint8Array {
  const children = DerCursor.inside(der, readTlv(der, 0, der.length, 'DER element'), 'DER SEQUENCE');
  for (let i = 0; !children.done; i++) {
    const child = children.any(`element ${i}`);
    if (i === index) return bytesOf(der, child);
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

/** A constructed element (SEQUENCE, SET) of already encoded elements. */
function constructed(tag: number, elements: Uint8Array[]): Buffer {
  const length = elements.reduce((n, e) => n + e.length, 0);
  return Buffer.concat([header(tag, length), ...elements]);
}

/** SEQUENCE of already encoded elements. */
export const derSequence = (elements: Uint8Array[]): Buffer => constructed(0x30, elements);

/** BIT STRING of whole bytes (no unused bits). */
export function derBitString(bytes: Uint8Array): Buffer {
  return Buffer.concat([header(0x03, bytes.length + 1), Buffer.from([0]), bytes]);
}

/*
 * TLV writers for the leaf certificate, which is written directly as DER: building it as an
 * @peculiar/asn1-schema object graph and serialising it through asn1js was about 60% of the
 * 0.7 ms (2–3 ms in the running server) a certificate cost, most of it object graphs and
 * ArrayBuffer copies rather than the signature.
 */

/** One element: tag, definite length (long form from 128 bytes), content. */
export function derTlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([header(tag, content.length), content]);
}

const oids = new Map<string, Buffer>();

/** OBJECT IDENTIFIER from its dotted form, encoded once per OID. */
export function derOid(dotted: string): Buffer {
  let der = oids.get(dotted);
  if (der) return der;
  const arcs = dotted.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`'${dotted}' is not a dotted OID`);
    return BigInt(arc);
  });
  if (arcs.length < 2 || arcs[0] > 2n || (arcs[0] < 2n && arcs[1] > 39n)) throw new RangeError(`'${dotted}' is not a valid OID`);
  const bytes: number[] = [];
  for (const arc of [arcs[0] * 40n + arcs[1], ...arcs.slice(2)]) {
    const base128 = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) base128.unshift(Number(n & 0x7fn) | 0x80);
    bytes.push(...base128);
  }
  der = derTlv(0x06, Buffer.from(bytes));
  oids.set(dotted, der);
  return der;
}

/**
 * INTEGER of a non-negative number given as big-endian bytes (a serial): redundant leading zeros
 * dropped, one 0x00 put in front when the high bit is set so the number stays positive.
 */
export function derUnsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const content = bytes.subarray(start);
  if (content.length === 0) return Buffer.from([0x02, 0x01, 0x00]);
  return content[0] & 0x80 ? derTlv(0x02, Buffer.concat([Buffer.from([0]), content])) : derTlv(0x02, content);
}

const TRUE = Buffer.from([0x01, 0x01, 0xff]);
const FALSE = Buffer.from([0x01, 0x01, 0x00]);

/** BOOLEAN (DER: TRUE is 0xff). */
export const derBoolean = (value: boolean): Buffer => (value ? TRUE : FALSE);

export const derOctetString = (bytes: Uint8Array): Buffer => derTlv(0x04, bytes);

export const derPrintableString = (text: string): Buffer => derTlv(0x13, Buffer.from(text, 'latin1'));

export const derUtf8String = (text: string): Buffer => derTlv(0x0c, Buffer.from(text, 'utf8'));

/** SET of already encoded elements, in the order given (a SET OF with one element needs no sorting). */
export const derSet = (elements: Uint8Array[]): Buffer => constructed(0x31, elements);

/** [n] EXPLICIT: the encoded element wrapped in a constructed context tag. */
export const derExplicit = (n: number, element: Uint8Array): Buffer => derTlv(0xa0 | n, element);

/**
 * [n] IMPLICIT: the context tag replaces the element's own; `content` is the content of the
 * tagged element (constructed for SEQUENCEs and the like, primitive for strings).
 */
export const derImplicit = (n: number, content: Uint8Array, constructed = false): Buffer => derTlv((constructed ? 0xa0 : 0x80) | n, content);

/**
 * BIT STRING of named bits (KeyUsage): bit i of `flags` is named bit i, the first bit of the first
 * byte. DER drops trailing zero bits, and the unused-bits count says how many of the last byte's are
 * padding.
 */
export function derNamedBits(flags: number): Buffer {
  if (flags === 0) return Buffer.from([0x03, 0x01, 0x00]);
  const bits = Math.floor(Math.log2(flags)) + 1;
  const bytes = Buffer.alloc(Math.ceil(bits / 8));
  for (let i = 0; i < bits; i++) if (flags & (2 ** i)) bytes[i >> 3] |= 0x80 >> (i & 7);
  return derTlv(0x03, Buffer.concat([Buffer.from([bytes.length * 8 - bits]), bytes]));
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * Time per RFC 5280 §4.1.2.5: UTCTime (YYMMDDHHMMSSZ) through 2049, GeneralizedTime
 * (YYYYMMDDHHMMSSZ) from 2050 and before 1950; whole seconds, always Z.
 */
export function derTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year <= 2049) return derTlv(0x17, Buffer.from(`${two(year % 100)}${rest}`, 'latin1'));
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be encoded as GeneralizedTime`);
  return derTlv(0x18, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'latin1'));
}
