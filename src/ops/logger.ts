import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs by default; a human format for development. */
export function createLogger(opts: { level: string; format: 'json' | 'pretty'; serverId?: string }): Logger {
  const base = { service: 'certledger', ...(opts.serverId ? { serverId: opts.serverId } : {}) };
  if (opts.format === 'pretty') {
    return pino({ level: opts.level, base }, pino.transport({ target: 'pino-pretty', options: { colorize: true, destination: 2 } }));
  }
  return pino({ level: opts.level, base }, pino.destination({ fd: 2, sync: true }));
}
