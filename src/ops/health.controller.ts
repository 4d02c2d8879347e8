import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RUNTIME, type Runtime } from '../runtime/runtime';

/**
 * Liveness (the process answers), readiness (it can serve: database reachable, not shutting down)
 * and health (each dependency in detail). Never rate limited or shed.
 */
@Controller()
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly rt: Runtime) {}

  @Get('livez')
  livez() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply) {
    if (this.rt.shuttingDown) {
      reply.status(503);
      return { status: 'unavailable', reason: 'shutting down' };
    }
    const db = await this.pingDatabase();
    if (!db.ok) {
      reply.status(503);
      return { status: 'unavailable', reason: `database: ${db.error}` };
    }
    return { status: 'ready' };
  }

  @Get('healthz')
  async healthz(@Res({ passthrough: true }) reply: FastifyReply) {
    const db = await this.pingDatabase();
    const pool = this.rt.db.pool;
    const projections = db.ok
      ? (await this.rt.projections.status().catch(() => [])).map((p) => ({ name: p.name, status: p.status, lag: p.lag, error: p.error }))
      : [];
    const critical = !db.ok || this.rt.shuttingDown;
    if (critical) reply.status(503);
    return {
      status: critical ? 'unhealthy' : projections.some((p) => p.status === 'failed') ? 'degraded' : 'healthy',
      shuttingDown: this.rt.shuttingDown,
      checks: {
        database: {
          status: db.ok ? 'ok' : 'error',
          critical: true,
          ...(db.ok ? {} : { error: db.error }),
          pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max },
        },
        projections: { status: projections.some((p) => p.status === 'failed') ? 'error' : 'ok', critical: false, items: projections },
      },
    };
  }

  private async pingDatabase(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await this.rt.db.pool.query('SELECT 1');
      return { ok: true };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
}
