import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { type EventStore, START_POSITION, type StoredEvent } from '../eventstore/event-store';
import { Backoff, sleep } from '../db/backoff';
import type { HealthReporter } from '../db/component-health';
import { isDatabaseUnavailable } from '../db/pool-errors';
import { type CatalogEvent, checkpointId, handlesEvent, type Projection, type SqlTx } from './projection';
import { inlineParameters, StatementBatch } from '../db/statement-batch';

const CHECKPOINT_MOVE = `UPDATE es_checkpoints SET position = $2, events_handled = events_handled + $3, updated_at = now() WHERE subscription_id = $1`;

export interface ProjectionState {
  name: string;
  version: number;
  position: string;
  eventsHandled: number;
  status: 'running' | 'failed' | 'rebuilding';
  error: string | null;
  errorPosition: string | null;
  updatedAt: Date;
}

export interface RunnerOptions {
  store: EventStore;
  pool: Pool;
  projections: readonly Projection[];
  batchSize?: number;
  /** How often an idle projection re-checks the feed (the store's wake-up usually comes first). */
  pollIntervalMs?: number;
  /**
   * After a wake-up, how long a background projection lets events gather before it reads them:
   * under load one transaction then carries many events instead of one each.
   */
  coalesceMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Told whether each loop reaches the database, so readiness waits for projections to resume. */
  health?: HealthReporter;
}

/** Statements for some of a projection's events, ready to be written once the connection is free. */
interface Chunk {
  events: StoredEvent[];
  write(client: SqlTx): Promise<unknown>;
}

export class ProjectionFailedError extends Error {
  override name = 'ProjectionFailedError';
}

/** One event through one projection; a failure names the event and its position. */
async function applyOne(tx: SqlTx, p: Projection, e: StoredEvent): Promise<void> {
  await named(() => p.apply(asCatalogEvent(e), tx), 'event', e);
}

/** Runs `work`; an error other than a lost connection becomes a failure at `e`'s position. */
async function named(work: () => Promise<void>, what: string, e: StoredEvent): Promise<void> {
  try {
    await work();
  } catch (err) {
    // A lost connection says nothing about the event: retry the batch, never stop the projection.
    if (isDatabaseUnavailable(err)) throw err;
    const failure = new ProjectionFailedError(
      `${what} ${e.type} ${e.eventId} at ${e.position} (stream ${e.streamId}): ${(err as Error).message}`,
    ) as ProjectionFailedError & { position: string };
    failure.position = e.position;
    throw failure;
  }
}

/**
 * The product appends only catalogued events (commands append the deciders' DomainEvents),
 * so the feed's events are read as catalog events here, once, instead of with a cast per projection.
 */
const asCatalogEvent = (e: StoredEvent) => e as CatalogEvent;

/** Events through one projection, as one batch when it has `applyAll`; a failing batch is named by its first event. */
async function applyEach(tx: SqlTx, p: Projection, events: StoredEvent[]): Promise<void> {
  if (p.applyAll) await named(() => p.applyAll!(events.map(asCatalogEvent), tx), 'events from', events[0]);
  else for (const e of events) await applyOne(tx, p, e);
}

/**
 * The inline read models' share of an append: every statement for the appended events, recorded
 * on the append's batch of writes (sent with the append itself). Each read model gets the append's events
 * it handles through the code rebuilds run (`applyAll` when it has one); the tables are disjoint,
 * so one read model after another leaves the same rows as one event after another.
 */
export function applyInline(projections: readonly Projection[]): (writes: SqlTx, events: StoredEvent[]) => Promise<void> {
  const inline = projections.filter((p) => p.inline);
  return async (writes, events) => {
    for (const p of inline) {
      const mine = events.filter((e) => handlesEvent(p, e.type));
      if (mine.length > 0) await applyEach(writes, p, mine);
    }
  };
}

/**
 * Runs projections off the event store's global feed. Each batch is one transaction that locks the
 * projection's checkpoint row (SKIP LOCKED: one instance of the fleet projects at a time), applies
 * the SQL, and moves the checkpoint, so rows and checkpoint commit together. A projection that
 * throws is stopped at the failing event with the error recorded; it is never skipped.
 */
export class ProjectionRunner {
  private readonly progress = new EventEmitter();
  private readonly loops = new Map<string, { stop(): Promise<void> }>();
  private readonly batchSize: number;

  constructor(private readonly opts: RunnerOptions) {
    this.batchSize = opts.batchSize ?? 500;
    this.progress.setMaxListeners(0);
  }

  get projections(): readonly Projection[] {
    return this.opts.projections;
  }

  private find(name: string): Projection {
    const p = this.opts.projections.find((x) => x.name === name);
    if (!p) throw new Error(`unknown projection '${name}' (known: ${this.opts.projections.map((x) => x.name).join(', ')})`);
    return p;
  }

  /** Creates missing checkpoint rows; rebuilds projections whose stored version differs from the code's. */
  async prepare(): Promise<void> {
    for (const p of this.opts.projections) {
      // A projection stopped on an error gets one more try per start (the fix may be in this version).
      const failed = await this.opts.pool.query(
        `UPDATE es_checkpoints SET status = 'running' WHERE subscription_id = $1 AND status = 'failed' RETURNING error`,
        [checkpointId(p)],
      );
      if (failed.rowCount) this.opts.log?.('retrying projection stopped on an error', { projection: p.name, error: failed.rows[0].error });
      await this.opts.pool.query(
        `INSERT INTO es_checkpoints (subscription_id, version) VALUES ($1, $2) ON CONFLICT (subscription_id) DO NOTHING`,
        [checkpointId(p), p.version],
      );
      const r = await this.opts.pool.query('SELECT version FROM es_checkpoints WHERE subscription_id = $1', [checkpointId(p)]);
      if (Number(r.rows[0].version) !== p.version && p.replayable !== false) {
        this.opts.log?.('projection version changed: rebuilding', { projection: p.name, from: r.rows[0].version, to: p.version });
        await this.rebuild(p.name);
      }
    }
  }

  /**
   * Starts following the feed live: one loop for all background projections (inline ones need
   * none), so a wake-up costs one read of the feed and one transaction however many there are.
   */
  start(): void {
    const group = this.opts.projections.filter((p) => !p.inline);
    if (group.length === 0 || this.loops.has('background')) return;
    let stopped = false;
    // An append during a step must not wait for the idle timer: it is remembered until the next wait.
    let pending = false;
    let waiting: (() => void) | undefined;
    const wake = () => {
      pending = true;
      waiting?.();
    };
    const idleMs = this.opts.pollIntervalMs ?? 500;
    const coalesceMs = this.opts.coalesceMs ?? 0;
    const component = 'projections';
    const backoff = new Backoff();
    const done = (async () => {
      // Appends only wake the loop, which reads the feed itself: the checkpoint rows are the truth.
      const unwatch = this.opts.store.onAppend(() => wake());
      try {
        while (!stopped) {
          pending = false;
          const outcome = await this.step(group).then(
            (o) => {
              backoff.reset();
              this.opts.health?.ok(component);
              return o;
            },
            async (e) => {
              // The database is away (restart, failover) or the step hit a transient error: back off and retry.
              if (backoff.failures === 0) this.opts.log?.('projection step failed; retrying with backoff', { projections: group.map((p) => p.name), error: (e as Error).message });
              this.opts.health?.failed(component, e);
              await sleep(backoff.next());
              return 'more' as const;
            },
          );
          if (outcome === 'failed') {
            this.opts.log?.('every background projection is stopped on an error', { projections: group.map((p) => p.name) });
            break;
          }
          if (outcome === 'more') continue;
          const woken =
            pending ||
            (await new Promise<boolean>((resolve) => {
              const t = setTimeout(() => resolve(false), idleMs);
              waiting = () => {
                clearTimeout(t);
                resolve(true);
              };
            }));
          waiting = undefined;
          if (woken && !stopped && coalesceMs > 0) await new Promise((r) => setTimeout(r, coalesceMs));
        }
      } finally {
        unwatch();
      }
    })();
    this.loops.set('background', {
      stop: async () => {
        stopped = true;
        wake();
        await done;
      },
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.loops.values()].map((l) => l.stop()));
    this.loops.clear();
  }

  /** Set when a one-round-trip batch failed: the next step applies each projection apart. */
  private apartNext = false;

  /** Where each projection stood after this runner's last batch; re-read when another instance moved one. */
  private readonly known = new Map<string, { position: string; status: string }>();

  private async refreshCheckpoints(ps: readonly Projection[]): Promise<void> {
    const r = await this.opts.pool.query('SELECT subscription_id, position, status FROM es_checkpoints WHERE subscription_id = ANY($1)', [ps.map(checkpointId)]);
    for (const p of ps) {
      const row = r.rows.find((x) => x.subscription_id === checkpointId(p));
      if (!row) throw new Error(`projection ${p.name} has no checkpoint: call prepare() first`);
      this.known.set(p.name, { position: row.position, status: row.status });
    }
  }

  /**
   * One batch for one projection or a group of them: one read of the feed from the furthest-behind
   * checkpoint, then one transaction that locks the checkpoint rows (SKIP LOCKED: one instance of the
   * fleet projects at a time), applies each projection's events and moves its checkpoint: three
   * round trips in all (`commitInOneTrip`). When that fails, the batch is done again with each
   * projection under its own savepoint: one that throws is rolled back to it and recorded as
   * failed; the others commit. Returns 'more' when a full batch was read, 'idle' when caught up or another
   * instance holds the checkpoints, 'failed' when every projection of the group is stopped.
   */
  async step(projections: Projection | readonly Projection[]): Promise<'more' | 'idle' | 'failed'> {
    const ps = Array.isArray(projections) ? projections : [projections as Projection];
    if (ps.some((p) => !this.known.has(p.name))) await this.refreshCheckpoints(ps);
    const running = ps.filter((p) => this.known.get(p.name)!.status !== 'failed');
    if (running.length === 0) {
      await this.refreshCheckpoints(ps); // a resume() elsewhere may have cleared the failure
      if (ps.every((p) => this.known.get(p.name)!.status === 'failed')) return 'failed';
      return 'more';
    }
    const from = running.map((p) => this.known.get(p.name)!.position).reduce((a, b) => (this.opts.store.comparePositions(a, b) <= 0 ? a : b));
    // Read before the write transaction starts, so this batch's own xid never hides the feed.
    const events = await this.opts.store.readAll({ after: from, maxCount: this.batchSize });
    if (events.length === 0) return 'idle';
    const last = events[events.length - 1].position;
    const client = await this.opts.pool.connect();
    let applied: Projection[] = [];
    try {
      // The checkpoint rows are locked with BEGIN, in one round trip (SKIP LOCKED: one instance of
      // the fleet projects at a time).
      const begun = (await client.query(
        `BEGIN; ${inlineParameters('SELECT subscription_id, position FROM es_checkpoints WHERE subscription_id = ANY($1) FOR UPDATE SKIP LOCKED', [running.map(checkpointId)])}`,
      )) as unknown as Array<{ rows: Array<{ subscription_id: string; position: string }>; rowCount: number | null }>;
      const locked = begun[1];
      const stale = running.some((p) => {
        const row = locked.rows.find((x) => x.subscription_id === checkpointId(p));
        return row && row.position !== this.known.get(p.name)!.position;
      });
      if (locked.rowCount === 0 || stale) {
        await client.query('ROLLBACK'); // another instance holds or moved them
        this.known.clear();
        return locked.rowCount === 0 ? 'idle' : 'more';
      }
      const mine = (p: Projection) => {
        if (!locked.rows.some((x) => x.subscription_id === checkpointId(p))) return [];
        const after = this.known.get(p.name)!.position;
        return events.filter((e) => this.opts.store.comparePositions(e.position, after) > 0);
      };
      if (this.apartNext) {
        this.apartNext = false;
        applied = await this.commitEachApart(client, running, mine, last);
      } else {
        const done = await this.commitInOneTrip(client, running, mine, last);
        if (!done) this.apartNext = true; // rolled back: locked afresh below, each projection apart
        else applied = done;
      }
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.known.clear();
      throw e;
    } finally {
      client.release();
    }
    if (this.apartNext) return this.step(projections);
    for (const p of applied) p.afterCommit?.();
    this.progress.emit('progress');
    if (ps.every((p) => this.known.get(p.name)!.status === 'failed')) return 'failed';
    return events.length === this.batchSize ? 'more' : 'idle';
  }

  /**
   * The usual case: every projection's statements, each checkpoint's move and the COMMIT go to the
   * database as one round trip. Anything failing (a projection's code or one of its statements)
   * rolls the whole transaction back and returns null: the next step applies each projection apart
   * (`commitEachApart`), which finds the culprit.
   */
  private async commitInOneTrip(client: SqlTx, running: readonly Projection[], mine: (p: Projection) => StoredEvent[], last: string): Promise<Projection[] | null> {
    const batch = new StatementBatch();
    const applied: Projection[] = [];
    const moved: Projection[] = [];
    try {
      for (const p of running) {
        const events = mine(p);
        if (events.length === 0) continue;
        const handled = events.filter((e) => handlesEvent(p, e.type));
        if (handled.length > 0) await applyEach(batch, p, handled);
        await batch.query(CHECKPOINT_MOVE, [checkpointId(p), last, handled.length]);
        moved.push(p);
        if (handled.length > 0) applied.push(p);
        if (batch.full) throw new Error('too large for one round trip');
      }
      await batch.query('COMMIT');
      await batch.flush(client);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      await client.query('ROLLBACK');
      return null;
    }
    for (const p of moved) this.known.set(p.name, { position: last, status: 'running' });
    return applied;
  }

  /**
   * Each projection under its own savepoint: one that throws is rolled back to it and recorded as
   * failed, naming the event (see `applyChunk`); the others commit.
   */
  private async commitEachApart(client: SqlTx, running: readonly Projection[], mine: (p: Projection) => StoredEvent[], last: string): Promise<Projection[]> {
    const applied: Projection[] = [];
    const updates: Array<{ p: Projection; position: string; status: string }> = [];
    for (const p of running) {
      const events = mine(p);
      if (events.length === 0) continue;
      const after = this.known.get(p.name)!.position;
      await client.query('SAVEPOINT projection');
      try {
        const handled = await this.applyBatch(client, p, events);
        await client.query(CHECKPOINT_MOVE, [checkpointId(p), last, handled]);
        updates.push({ p, position: last, status: 'running' });
        if (handled > 0) applied.push(p);
      } catch (e) {
        if (!(e instanceof ProjectionFailedError)) throw e;
        await client.query('ROLLBACK TO SAVEPOINT projection');
        const at = (e as ProjectionFailedError & { position: string }).position;
        await client.query(
          `UPDATE es_checkpoints SET status = 'failed', error = $2, error_position = $3, updated_at = now() WHERE subscription_id = $1`,
          [checkpointId(p), e.message, at],
        );
        this.opts.log?.('projection stopped on an error', { projection: p.name, error: e.message });
        updates.push({ p, position: after, status: 'failed' });
      }
    }
    await client.query('COMMIT');
    for (const u of updates) this.known.set(u.p.name, { position: u.position, status: u.status });
    return applied;
  }

  /** Applies the events a projection handles (see `chunks` and `applyChunk`); returns how many. */
  private async applyBatch(client: SqlTx, p: Projection, events: StoredEvent[]): Promise<number> {
    const chunks = await this.chunks(p, events);
    await this.applyChunks(client, p, chunks);
    return chunks.reduce((n, c) => n + c.events.length, 0);
  }

  /**
   * Turns the events a projection handles into chunks of statements, without touching the database,
   * so a rebuild prepares one page while the page before it is written. A batch projection's chunk
   * is its `applyAll`: a few set-based statements with bound parameters, each column one array. Other
   * projections' per-event statements are gathered into statement batches, one round trip each.
   */
  private async chunks(p: Projection, events: StoredEvent[]): Promise<Chunk[]> {
    const mine = events.filter((e) => handlesEvent(p, e.type));
    if (mine.length === 0) return [];
    if (p.applyAll) {
      const statements: Array<{ text: string; params?: unknown[] }> = [];
      const recorder: SqlTx = {
        query: async (text, params) => {
          statements.push({ text, params });
          return { rows: [], rowCount: null };
        },
      };
      try {
        await p.applyAll(mine.map(asCatalogEvent), recorder);
      } catch (err) {
        // The batch code threw: writing the chunk fails, and one event at a time names the culprit.
        return [{ events: mine, write: () => Promise.reject(err) }];
      }
      const write = async (client: SqlTx) => {
        for (const st of statements) await client.query(st.text, st.params);
      };
      return [{ events: mine, write }];
    }
    const out: Chunk[] = [];
    let batch = new StatementBatch();
    let chunk: StoredEvent[] = [];
    const close = () => {
      const full = batch;
      out.push({ events: chunk, write: (client) => full.flush(client) });
      batch = new StatementBatch();
      chunk = [];
    };
    for (const e of mine) {
      await applyOne(batch, p, e);
      chunk.push(e);
      if (batch.full) close();
    }
    if (chunk.length > 0) close();
    return out;
  }

  private async applyChunks(client: SqlTx, p: Projection, chunks: Chunk[]): Promise<void> {
    for (const c of chunks) await this.applyChunk(client, p, c);
  }

  /**
   * Writes one chunk under a savepoint: when it fails, it is rolled back and replayed one event at a
   * time, so the failing event is the one named (and the checkpoint stays before it).
   */
  private async applyChunk(client: SqlTx, p: Projection, chunk: Chunk): Promise<void> {
    await client.query('SAVEPOINT projection_chunk');
    try {
      await chunk.write(client);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      await client.query('ROLLBACK TO SAVEPOINT projection_chunk');
      for (const e of chunk.events) await applyOne(client, p, e);
    }
  }

  /** Clears a recorded failure so the projection retries from its checkpoint (after a fix). */
  async resume(name: string): Promise<void> {
    const p = this.find(name);
    this.known.delete(p.name);
    await this.opts.pool.query(
      `UPDATE es_checkpoints SET status = 'running', error = NULL, error_position = NULL, updated_at = now() WHERE subscription_id = $1`,
      [checkpointId(p)],
    );
  }

  /**
   * Replays the projection from the first event inside ONE transaction: readers keep seeing the old
   * rows until the rebuilt ones commit, and a failure leaves everything as it was.
   */
  async rebuild(name: string): Promise<{ events: number; position: string }> {
    const p = this.find(name);
    this.known.delete(p.name);
    if (p.replayable === false) throw new Error(`${name} cannot be rebuilt: replaying it would repeat its effects`);
    const id = checkpointId(p);
    const client = await this.opts.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO es_checkpoints (subscription_id, version) VALUES ($1, $2) ON CONFLICT (subscription_id) DO NOTHING`,
        [id, p.version],
      );
      // Waits for a live batch of another instance to finish, then holds the projection.
      await client.query('SELECT 1 FROM es_checkpoints WHERE subscription_id = $1 FOR UPDATE', [id]);
      // An inline read model is written by every append: holding its tables stops those writers
      // until the rebuilt rows commit, so every committed event is replayed exactly once here, and
      // each held writer applies its own events afterwards.
      if (p.inline) await client.query(`LOCK TABLE ${p.tables.join(', ')} IN EXCLUSIVE MODE`);
      for (const table of p.tables) await client.query(`DELETE FROM ${table}`);
      let position = START_POSITION;
      let handled = 0;
      // Pages of a thousand: set-based statements gain little from more rows, and a page's events
      // then die young in Node's heap (with pages of 5,000, a replay spent about a third more of
      // Node's CPU, mostly collecting garbage).
      const batchSize = Math.max(this.batchSize, 1000);
      // The next page is read (on another connection) while this one is applied: reading and
      // writing take about as long as each other, so a replay runs close to twice as fast.
      const page = (after: string) => {
        const read = this.opts.store.readAll({ after, maxCount: batchSize, committed: p.inline === true });
        read.catch(() => undefined); // awaited below, unless applying the page before it failed
        return read;
      };
      // Likewise each page's statements are prepared while the page before is being written.
      let writing: Promise<void> = Promise.resolve();
      for (let next = page(position); ; ) {
        const events = await next;
        if (events.length === 0) break;
        const last = events[events.length - 1].position;
        next = page(last);
        const chunks = await this.chunks(p, events);
        await writing;
        writing = this.applyChunks(client, p, chunks);
        writing.catch(() => undefined); // awaited below, unless reading or preparing the next page failed
        handled += chunks.reduce((n, c) => n + c.events.length, 0);
        position = last;
      }
      await writing;
      await client.query(
        `UPDATE es_checkpoints SET position = $2, version = $3, events_handled = $4, status = 'running',
           error = NULL, error_position = NULL, updated_at = now() WHERE subscription_id = $1`,
        [id, position, p.version, handled],
      );
      await client.query('COMMIT');
      this.progress.emit('progress');
      return { events: handled, position };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async status(): Promise<Array<ProjectionState & { lag: number }>> {
    const r = await this.opts.pool.query(
      `SELECT subscription_id, version, position, events_handled, status, error, error_position, updated_at
       FROM es_checkpoints WHERE subscription_id = ANY($1) ORDER BY subscription_id`,
      [this.opts.projections.map(checkpointId)],
    );
    const byId = new Map(r.rows.map((row) => [row.subscription_id, row]));
    return Promise.all(
      this.opts.projections.map(async (p) => {
        const row = byId.get(checkpointId(p));
        const position = row?.position ?? START_POSITION;
        return {
          name: p.name,
          version: row ? Number(row.version) : p.version,
          position,
          eventsHandled: Number(row?.events_handled ?? 0),
          status: row?.status ?? 'running',
          error: row?.error ?? null,
          errorPosition: row?.error_position ?? null,
          updatedAt: row?.updated_at ?? new Date(0),
          lag: p.inline ? 0 : await this.opts.store.countAfter(position),
        };
      }),
    );
  }

  /**
   * Resolves once every background projection (on any instance) has passed `position`, or rejects
   * after `timeoutMs`; failed projections reject at once. Inline read models never lag. No request
   * waits for this: it serves tools and tests that need the background views caught up.
   */
  async waitFor(position: string, timeoutMs = 5000): Promise<void> {
    const ids = this.opts.projections.filter((p) => !p.inline).map(checkpointId);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.opts.pool.query('SELECT subscription_id, position, status FROM es_checkpoints WHERE subscription_id = ANY($1)', [ids]);
      const failed = r.rows.find((row) => row.status === 'failed');
      if (failed) throw new ProjectionFailedError(`projection ${failed.subscription_id} is stopped on an error`);
      if (r.rowCount === ids.length && r.rows.every((row) => this.opts.store.comparePositions(row.position, position) >= 0)) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`projections did not reach ${position} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.progress.off('progress', done);
          resolve();
        };
        const t = setTimeout(done, Math.min(left, 50));
        this.progress.on('progress', done);
      });
    }
  }
}
