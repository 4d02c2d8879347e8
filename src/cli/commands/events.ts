import { listOrdersOfAccount } from '../../../projections/orders/queries';
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { AdminQueries } from '../../admin/admin-queries';
import { exportEvents, verifyExport } from '../../admin/export';
import { extendChain, storedDigests, verifyChain } from '../../eventstore/postgres/event-chain';
import { complianceReport, reportCsv } from '../../admin/reports';
import { type GlobalOptions, withRuntime } from '../context';
import { CliError } from '../exit-codes';

function date(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CliError(`${flag}: '${value}' is not a date (use e.g. 2026-01-31 or 2026-01-31T12:00:00Z)`, 2);
  return d;
}

/** `events export [--from T] [--to T] [--out FILE]`: JSON Lines with a running SHA-256 chain. */
export async function eventsExport(opts: GlobalOptions, o: { from?: string; to?: string; out?: string }): Promise<void> {
  const range = { from: date(o.from, '--from'), to: date(o.to, '--to') };
  await withRuntime(opts, async (rt) => {
    const out = o.out ? createWriteStream(o.out, { mode: 0o600 }) : process.stdout;
    let last = '';
    for await (const line of exportEvents(rt.store, range, (seqs) => storedDigests(rt.db.backgroundPool, seqs))) {
      last = line;
      if (!out.write(line)) await once(out, 'drain');
    }
    if (o.out) {
      (out as ReturnType<typeof createWriteStream>).end();
      await once(out, 'finish');
      const final = JSON.parse(last) as { count: number; digest: string };
      process.stderr.write(`exported ${final.count} events to ${o.out}; final digest ${final.digest}\n`);
    }
  });
}

/**
 * `events verify`: recomputes the hash chain stored with the events in the database and stops at
 * the first event that was changed, removed or inserted afterwards, naming its position.
 */
async function verifyStoredChain(opts: GlobalOptions): Promise<void> {
  await withRuntime(opts, async (rt) => {
    await extendChain(rt.db.backgroundPool); // events committed since the last pass
    const r = await verifyChain(rt.db.backgroundPool);
    if (r.break) {
      throw new CliError(`event chain broken at position ${r.break.position} (global position ${r.break.globalPosition}) after ${r.checked} intact events: ${r.break.reason}`);
    }
    process.stdout.write(`event chain intact: ${r.checked} events${r.head ? `, head ${r.head}` : ''}${r.unchained ? `, ${r.unchained} not chained yet` : ''}\n`);
  });
}

/** `events verify [FILE]`: offline check of an export (no database needed), or of the stored chain. */
export async function eventsVerify(opts: GlobalOptions, file: string | undefined): Promise<void> {
  if (file === undefined) return verifyStoredChain(opts);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
  const r = verifyExport(text);
  if (!r.ok) throw new CliError(`${file}:${r.error!.line}: ${r.error!.reason}`);
  process.stdout.write(`${file}: ${r.count} events, chain intact, final digest ${r.digest}\n`);
}

/** `report --from T --to T [--format json|csv] [--section issued|revoked|accounts|eab]`. */
export async function report(opts: GlobalOptions, o: { from: string; to: string; format: string; section: string }): Promise<void> {
  const from = date(o.from, '--from')!;
  const to = date(o.to, '--to')!;
  if (!['json', 'csv'].includes(o.format)) throw new CliError(`--format must be json or csv, got '${o.format}'`, 2);
  if (!['issued', 'revoked', 'accounts', 'eab'].includes(o.section)) throw new CliError(`--section must be issued, revoked, accounts or eab`, 2);
  await withRuntime(opts, async (rt) => {
    const r = await complianceReport(rt.db.pool, rt.store, from, to);
    process.stdout.write(o.format === 'csv' ? reportCsv(r, o.section as 'issued') : `${JSON.stringify(r, null, 2)}\n`);
  });
}

/** `inspect order|certificate|account ID`: state, history and related resources. */
export async function inspect(opts: GlobalOptions, kind: string, id: string): Promise<void> {
  const prefix = { order: 'order-', certificate: 'cert-', account: 'account-' }[kind];
  if (!prefix) throw new CliError(`inspect: the kind must be order, certificate or account, got '${kind}'`, 2);
  await withRuntime(opts, async (rt) => {
    const queries = new AdminQueries(rt.db.pool, rt.store);
    const history = await queries.history(`${prefix}${id}`).catch(() => {
      throw new CliError(`no ${kind} ${id}`);
    });
    const related: Record<string, unknown> = {};
    const state = history.state as Record<string, any>;
    if (kind === 'order') {
      related.authorizations = await Promise.all((state.authorizationIds as string[]).map(async (a) => (await queries.history(`authz-${a}`)).state));
      if (state.certificateId) related.certificate = `cert-${state.certificateId}`;
    }
    if (kind === 'account') related.orders = await listOrdersOfAccount(rt.db.pool, id);
    if (kind === 'certificate') related.order = `order-${state.orderId}`;
    const events = history.events.map((e) => ({ at: e.recordedAt.toISOString(), type: e.type, actor: e.metadata.actor ?? null, source_ip: e.metadata.sourceIp ?? null, server: e.metadata.serverId ?? null, data: e.data }));
    process.stdout.write(`${JSON.stringify({ stream: history.stream, state, history: events, related }, null, 2)}\n`);
  });
}
