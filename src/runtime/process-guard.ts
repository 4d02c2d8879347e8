import { isDatabaseUnavailable } from '../db/pool-errors';

/**
 * The last resort (docs/adr/0008-database-faults-never-end-the-process.md): an error nobody caught
 * reaches the process. When it is a database connectivity error (a connection killed by a restart
 * or a failover, a query rejected while PostgreSQL shuts down) the state of this process is intact:
 * the error belongs to one connection or one query whose caller already gave up, so the process logs
 * it and keeps serving. Anything else means a bug left the process in an unknown state: it is logged
 * and the process exits with status 70, and the supervisor (systemd, the container runtime, the
 * cluster primary) starts a fresh one.
 */
export interface ProcessGuardLog {
  error(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

export const EXIT_UNCAUGHT = 70;

let installed: { uncaught: (e: unknown) => void; rejection: (e: unknown) => void } | undefined;

export function installProcessGuard(log: ProcessGuardLog, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  if (installed) uninstall();
  const handle = (kind: string) => (e: unknown) => {
    const err = e as { message?: string; code?: string; stack?: string };
    if (isDatabaseUnavailable(e)) {
      log.warn({ kind, err: err?.message, code: err?.code }, 'database error reached the process; keeping on serving');
      return;
    }
    log.error({ kind, err: err?.message ?? String(e), code: err?.code, stack: err?.stack }, 'unexpected error reached the process; exiting');
    exit(EXIT_UNCAUGHT);
  };
  installed = { uncaught: handle('uncaughtException'), rejection: handle('unhandledRejection') };
  process.on('uncaughtException', installed.uncaught);
  process.on('unhandledRejection', installed.rejection);
  return uninstall;
}

function uninstall(): void {
  if (!installed) return;
  process.off('uncaughtException', installed.uncaught);
  process.off('unhandledRejection', installed.rejection);
  installed = undefined;
}
