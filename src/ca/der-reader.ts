/*
 * A strict DER reader for what the CA reads from clients (the finalize CSR): definite lengths in
 * their shortest form, single-byte tags, every element inside its parent, nothing after the last.
 * It works on offsets into the caller's bytes and allocates only the values asked for: reading a
 * CSR through asn1js schema matching cost 3–4 ms of CPU per finalize in the running server.
 * Every malformation throws an Error saying what is wrong and where.
 */

/** One element: its tag byte and where its header, content and end are in the buffer. */
export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  content: number;
  /** Offset just after the element. */
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** The element starting at `at`, which must end at or before `limit`. */
export function readTlv(der: Uint8Array, at: number, limit: number, what: string): Tlv {
  if (at >= limit) throw new Error(`${what} is missing (no bytes left at offset ${at})`);
  const tag = der[at];
  if ((tag & 0x1f) === 0x1f) throw new Error(`${what} at offset ${at} has a multi-byte tag (0x${hex2(tag)}), which no field read here uses`);
  if (at + 1 >= limit) throw new Error(`${what} at offset ${at} is truncated: its length is missing`);
  const first = der[at + 1];
  let content = at + 2;
  let length = first;
  if (first === 0x80) throw new Error(`${what} at offset ${at} has an indefinite length, which DER does not allow`);
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw new Error(`${what} at offset ${at} has a length of ${count} bytes, more than this reader takes`);
    if (content + count > limit) throw new Error(`${what} at offset ${at} is truncated inside its length`);
    if (der[content] === 0) throw new Error(`${what} at offset ${at} has a length with a leading zero byte (not DER)`);
    length = 0;
    for (let k = 0; k < count; k++) length = length * 256 + der[content + k];
    if (length < 0x80) throw new Error(`${what} at offset ${at} has a long-form length for ${length} bytes (not DER)`);
    content += count;
  }
  const end = content + length;
  if (end > limit) throw new Error(`${what} at offset ${at} is truncated: ${length} content bytes announced, ${limit - content} there`);
  return { tag, start: at, content, end };
}

/** The elements of a constructed element's content (or of a whole buffer), read in order. */
export class DerCursor {
  private at: number;

  constructor(
    readonly der: Uint8Array,
    start: number,
    readonly end: number,
    readonly what: string,
  ) {
    this.at = start;
  }

  /** A cursor over the content of `tlv`. */
  static inside(der: Uint8Array, tlv: Tlv, what: string): DerCursor {
    return new DerCursor(der, tlv.content, tlv.end, what);
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  /** The next element, whatever its tag. */
  any(what: string): Tlv {
    const tlv = readTlv(this.der, this.at, this.end, `${this.what}: ${what}`);
    this.at = tlv.end;
    return tlv;
  }

  /** The next element, which must have this tag. */
  next(tag: number, what: string): Tlv {
    const tlv = this.any(what);
    if (tlv.tag !== tag) throw new Error(`${this.what}: ${what} at offset ${tlv.start} has tag 0x${hex2(tlv.tag)}, expected 0x${hex2(tag)}`);
    return tlv;
  }

  /** The next element if it has this tag (an OPTIONAL or DEFAULT field), else null. */
  optional(tag: number, what: string): Tlv | null {
    if (this.done || this.der[this.at] !== tag) return null;
    return this.next(tag, what);
  }

  /** Nothing may follow the last element read. */
  finish(): void {
    if (!this.done) throw new Error(`${this.what} has ${this.end - this.at} unexpected bytes at offset ${this.at}`);
  }
}

/** The single element a buffer holds, with no bytes after it. */
export function readOnly(der: Uint8Array, tag: number, what: string): Tlv {
  const cursor = new DerCursor(der, 0, der.length, what);
  const tlv = cursor.next(tag, 'the outer element');
  cursor.finish();
  return tlv;
}

export const contentOf = (der: Uint8Array, tlv: Tlv): Uint8Array => der.subarray(tlv.content, tlv.end);
export const bytesOf = (der: Uint8Array, tlv: Tlv): Uint8Array => der.subarray(tlv.start, tlv.end);

const MAX_ARC_BYTES = 20;

/** OBJECT IDENTIFIER as dotted text; every arc in its shortest base-128 form. */
export function readOid(der: Uint8Array, tlv: Tlv, what: string): string {
  if (tlv.tag !== TAG.OID) throw new Error(`${what} at offset ${tlv.start} is not an OBJECT IDENTIFIER`);
  if (tlv.content === tlv.end) throw new Error(`${what} at offset ${tlv.start} is an empty OBJECT IDENTIFIER`);
  const arcs: string[] = [];
  let at = tlv.content;
  while (at < tlv.end) {
    if (der[at] === 0x80) throw new Error(`${what} at offset ${tlv.start} has an arc with a leading 0x80 byte (not DER)`);
    let value = 0;
    let big: bigint | null = null;
    const arcStart = at;
    for (;;) {
      if (at >= tlv.end) throw new Error(`${what} at offset ${tlv.start} ends inside an arc`);
      // 20 bytes hold 140 bits, more than any arc in use (UUID arcs under 2.25 need 128); longer
      // ones would only make reading them cost the square of their length.
      if (at - arcStart >= MAX_ARC_BYTES) throw new Error(`${what} at offset ${tlv.start} has an arc longer than ${MAX_ARC_BYTES} bytes`);
      const byte = der[at++];
      if (big !== null) big = (big << 7n) | BigInt(byte & 0x7f);
      else if (value >= 2 ** 45) big = (BigInt(value) << 7n) | BigInt(byte & 0x7f);
      else value = value * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    if (arcs.length === 0) {
      // The first subidentifier carries the first two arcs: 40 * first + second.
      if (big !== null) arcs.push('2', String(big - 80n));
      else if (value < 40) arcs.push('0', String(value));
      else if (value < 80) arcs.push('1', String(value - 40));
      else arcs.push('2', String(value - 80));
    } else {
      arcs.push(big !== null ? String(big) : String(value));
    }
  }
  return arcs.join('.');
}

/** INTEGER content bytes (two's complement), checked to be in shortest form. */
export function readIntegerBytes(der: Uint8Array, tlv: Tlv, what: string): Uint8Array {
  if (tlv.tag !== TAG.INTEGER) throw new Error(`${what} at offset ${tlv.start} is not an INTEGER`);
  const length = tlv.end - tlv.content;
  if (length === 0) throw new Error(`${what} at offset ${tlv.start} is an empty INTEGER`);
  if (length > 1) {
    const a = der[tlv.content];
    const b = der[tlv.content + 1];
    if ((a === 0x00 && b < 0x80) || (a === 0xff && b >= 0x80)) throw new Error(`${what} at offset ${tlv.start} is an INTEGER with a redundant leading byte (not DER)`);
  }
  return contentOf(der, tlv);
}

/** A non-negative INTEGER small enough for a JavaScript number (versions, salt lengths). */
export function readSmallInteger(der: Uint8Array, tlv: Tlv, what: string): number {
  const bytes = readIntegerBytes(der, tlv, what);
  if (bytes[0] & 0x80) throw new Error(`${what} at offset ${tlv.start} is negative`);
  if (bytes.length > 6) throw new Error(`${what} at offset ${tlv.start} is too large`);
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/** BIT STRING: its bytes and how many bits of the last one are padding (which must be zero). */
export function readBitString(der: Uint8Array, tlv: Tlv, what: string): { unusedBits: number; bytes: Uint8Array } {
  if (tlv.tag !== TAG.BIT_STRING) throw new Error(`${what} at offset ${tlv.start} is not a BIT STRING`);
  if (tlv.content === tlv.end) throw new Error(`${what} at offset ${tlv.start} is a BIT STRING without its unused-bits byte`);
  const unusedBits = der[tlv.content];
  if (unusedBits > 7) throw new Error(`${what} at offset ${tlv.start} is a BIT STRING with ${unusedBits} unused bits`);
  const bytes = der.subarray(tlv.content + 1, tlv.end);
  if (unusedBits > 0 && (bytes.length === 0 || (bytes[bytes.length - 1] & ((1 << unusedBits) - 1)) !== 0)) {
    throw new Error(`${what} at offset ${tlv.start} is a BIT STRING whose padding bits are not zero bits of a last byte (not DER)`);
  }
  return { unusedBits, bytes };
}

/** BOOLEAN: DER encodes TRUE as 0xff and FALSE as 0x00. */
export function readBoolean(der: Uint8Array, tlv: Tlv, what: string): boolean {
  if (tlv.tag !== TAG.BOOLEAN) throw new Error(`${what} at offset ${tlv.start} is not a BOOLEAN`);
  if (tlv.end - tlv.content !== 1) throw new Error(`${what} at offset ${tlv.start} is a BOOLEAN of ${tlv.end - tlv.content} bytes`);
  const v = der[tlv.content];
  if (v !== 0x00 && v !== 0xff) throw new Error(`${what} at offset ${tlv.start} is a BOOLEAN encoded as 0x${hex2(v)} (DER uses 0x00 and 0xff)`);
  return v === 0xff;
}

export function readNull(tlv: Tlv, what: string): void {
  if (tlv.tag !== TAG.NULL || tlv.end !== tlv.content) throw new Error(`${what} at offset ${tlv.start} is not an empty NULL`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Tags of the character strings readString decodes. */
export const STRING_TAGS: ReadonlySet<number> = new Set([TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.TELETEX_STRING, TAG.IA5_STRING, TAG.UNIVERSAL_STRING, TAG.BMP_STRING]);

/**
 * A character string as text: UTF8String as UTF-8 (which must be valid), BMPString as UTF-16BE,
 * UniversalString as UTF-32BE, PrintableString, IA5String and TeletexString one character per
 * byte (their character sets are not enforced).
 */
export function readString(der: Uint8Array, tlv: Tlv, what: string): string {
  const bytes = contentOf(der, tlv);
  switch (tlv.tag) {
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.TELETEX_STRING:
      return latin1(bytes);
    case TAG.UTF8_STRING:
      try {
        return utf8.decode(bytes);
      } catch {
        throw new Error(`${what} at offset ${tlv.start} is a UTF8String that is not valid UTF-8`);
      }
    case TAG.BMP_STRING: {
      if (bytes.length % 2) throw new Error(`${what} at offset ${tlv.start} is a BMPString of an odd number of bytes`);
      let s = '';
      for (let i = 0; i < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      return s;
    }
    case TAG.UNIVERSAL_STRING: {
      if (bytes.length % 4) throw new Error(`${what} at offset ${tlv.start} is a UniversalString of ${bytes.length} bytes, not a multiple of 4`);
      let s = '';
      for (let i = 0; i < bytes.length; i += 4) {
        const code = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
        if (code > 0x10ffff) throw new Error(`${what} at offset ${tlv.start} is a UniversalString with a character beyond U+10FFFF`);
        s += String.fromCodePoint(code);
      }
      return s;
    }
    default:
      throw new Error(`${what} at offset ${tlv.start} has tag 0x${hex2(tlv.tag)}, which is not a character string`);
  }
}

/** Lowercase hex of bytes. */
export function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += hex2(bytes[i]);
  return s;
}
