/**
 * Durations ("500ms", "30s", "5m", "1h", "7d", combined "1h30m") and byte sizes ("64kb", "1mb")
 * as written in the configuration file, turned into milliseconds and bytes.
 */
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!/^(\d+(ms|s|m|h|d))+$/.test(s)) return null;
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * DURATION_UNITS[unit];
  return total;
}

export function parseSize(text: string): number | null {
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()];
}
