import { randomFillSync } from 'node:crypto';

/**
 * Cryptographically random bytes for the many small values a request draws (nonces, ids,
 * challenge tokens, serials), taken from a block refilled from the CSPRNG when it runs out:
 * every request draws several, and one call into the CSPRNG per value cost more than the values'
 * use. Each byte is handed out once and the block is overwritten before it is reused, as Node's
 * own randomUUID does with its entropy cache.
 */
const BLOCK = 4096;
const block = Buffer.alloc(BLOCK);
let offset = BLOCK;

export function randomBytes(size: number): Buffer {
  // A negative or fractional size would move the offset back and hand out bytes again.
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`randomBytes: size must be a non-negative integer, got ${size}`);
  if (size > BLOCK) return randomFillSync(Buffer.alloc(size));
  if (offset + size > BLOCK) {
    randomFillSync(block);
    offset = 0;
  }
  const out = Buffer.from(block.subarray(offset, offset + size));
  offset += size;
  return out;
}
