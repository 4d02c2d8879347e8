/**
 * Durations ("500ms", "30s", "5m", "1h", "7d", combined "1h30m") and byte sizes ("64kb", "1mb",
 * or a plain number of bytes) as written in the configuration file, turned into milliseconds and
 * bytes. Both return null for text that is not one of these forms, so the caller can name the key.
 */
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
// Binary multiples: "64kb" is 65536 bytes, the figure people mean for buffers and body limits.
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

const DURATION_FORM = /^(\d+(ms|s|m|h|d))+$/;

export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!DURATION_FORM.test(s)) return null;
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * DURATION_UNITS[unit];
  return Number.isSafeInteger(total) ? total : null;
}

export function parseSize(text: string): number | null {
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) return null;
  const bytes = Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()];
  return Number.isSafeInteger(bytes) ? bytes : null;
}
