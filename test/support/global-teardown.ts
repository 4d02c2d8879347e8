import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const handle = g.__certledgerTestPg as { stop(): Promise<void> } | undefined;
  if (handle) await handle.stop();
  if (typeof g.__certledgerTestPgDir === 'string') await rm(g.__certledgerTestPgDir, { recursive: true, force: true });
}
