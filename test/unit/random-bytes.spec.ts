import { randomBytes } from '../../src/random-bytes';

describe('randomBytes (pooled)', () => {
  test('hands out values of the asked size that never repeat, across many refills of the block', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const size = 1 + (i % 40);
      const b = randomBytes(size);
      expect(b).toHaveLength(size);
      if (size >= 8) {
        const hex = b.toString('hex');
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    }
  });

  test('a value is its own copy: changing it changes nothing handed out later', () => {
    const a = randomBytes(32);
    a.fill(0);
    const rest = Array.from({ length: 200 }, () => randomBytes(32));
    expect(rest.some((b) => b.equals(Buffer.alloc(32)))).toBe(false);
  });

  test('sizes larger than the block come straight from the CSPRNG', () => {
    const big = randomBytes(10_000);
    expect(big).toHaveLength(10_000);
    // 10,000 zero bytes from a CSPRNG would be a broken generator, not chance.
    expect(big.equals(Buffer.alloc(10_000))).toBe(false);
    expect(new Set(big).size).toBeGreaterThan(200);
  });
});

describe('randomBytes (pooled): sizes it refuses', () => {
  test.each([-16, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('%p is a RangeError, and the next values are still fresh', (size) => {
    const before = randomBytes(16);
    expect(() => randomBytes(size)).toThrow(RangeError);
    expect(randomBytes(16).equals(before)).toBe(false);
    expect(randomBytes(16)).toHaveLength(16);
  });
});
