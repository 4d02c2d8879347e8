import { type GlobalOptions, withRuntime } from '../context';
import { CliError } from '../exit-codes';

/** `projections status`: each projection's position, lag and state. Exit 1 when one is stopped on an error. */
export async function projectionsStatus(opts: GlobalOptions): Promise<void> {
  await withRuntime(opts, async (rt) => {
    const rows = await rt.projections.status();
    const out = process.stdout;
    out.write(`${'projection'.padEnd(24)} ${'version'.padEnd(8)} ${'status'.padEnd(10)} ${'lag'.padStart(8)}  position\n`);
    for (const r of rows) {
      out.write(`${r.name.padEnd(24)} ${String(r.version).padEnd(8)} ${r.status.padEnd(10)} ${String(r.lag).padStart(8)}  ${r.position}\n`);
      if (r.error) out.write(`  error at ${r.errorPosition}: ${r.error}\n`);
    }
    const failed = rows.filter((r) => r.status === 'failed');
    if (failed.length > 0) throw new CliError(`${failed.length} projection(s) stopped on an error: ${failed.map((f) => f.name).join(', ')}`);
  });
}

/** `projections rebuild [NAME]`: replays one projection (or all) from the first event. */
export async function projectionsRebuild(opts: GlobalOptions, name?: string): Promise<void> {
  await withRuntime(opts, async (rt) => {
    const names = name ? [name] : rt.projections.projections.filter((p) => p.replayable !== false).map((p) => p.name);
    for (const n of names) {
      if (!rt.projections.projections.some((p) => p.name === n)) {
        throw new CliError(`unknown projection '${n}' (known: ${rt.projections.projections.map((p) => p.name).join(', ')})`);
      }
      const r = await rt.projections.rebuild(n);
      process.stdout.write(`rebuilt ${n}: ${r.events} events applied, position ${r.position}\n`);
    }
  });
}
