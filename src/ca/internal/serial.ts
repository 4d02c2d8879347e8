import { randomBytes } from '../../random-bytes';

/**
 * A certificate serial: 16 random bytes with the top bit cleared, so the DER INTEGER is positive
 * and needs no padding byte, and the first byte non-zero, so the INTEGER is always 16 bytes long
 * and its hex (the serial as recorded everywhere) has exactly 32 digits. About 127 bits of entropy,
 * well above the 64 the CA/Browser Forum requires.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  while (bytes[0] === 0) bytes[0] = randomBytes(1)[0] & 0x7f;
  return bytes.toString('hex');
}
