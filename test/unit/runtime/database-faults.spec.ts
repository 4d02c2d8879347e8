import { Backoff } from '../../../src/db/backoff';
import { ComponentHealth } from '../../../src/db/component-health';
import { isDatabaseUnavailable } from '../../../src/db/pool-errors';
import { EXIT_UNCAUGHT, installProcessGuard } from '../../../src/runtime/process-guard';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database unavailable errors', () => {
  test.each([
    ['admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['shutting down', pgError('57P03', 'the database system is shutting down')],
    ['crash shutdown', pgError('57P02')],
    ['connection failure class 08', pgError('08006')],
    ['standby not promoted yet', pgError('25006', 'cannot execute INSERT in a read-only transaction')],
    ['too many connections', pgError('53300')],
    ['refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['reset', pgError('ECONNRESET')],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['several addresses refused', Object.assign(new AggregateError([pgError('ECONNREFUSED')]), {})],
  ])('%s', (_name, e) => expect(isDatabaseUnavailable(e)).toBe(true));

  test.each([
    ['unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['syntax error', pgError('42601', 'syntax error at or near')],
    ['statement timeout', pgError('57014', 'canceling statement due to statement timeout')],
    ['plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['not an error', 'text'],
    ['nothing', undefined],
  ])('%s is not', (_name, e) => expect(isDatabaseUnavailable(e)).toBe(false));
});

describe('backoff', () => {
  test('grows from the minimum to the ceiling, with jitter in the upper half, and resets', () => {
    const b = new Backoff(200, 5000, () => 1);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(b.failures).toBe(7);
    b.reset();
    expect(b.next()).toBe(200);
    expect(new Backoff(200, 5000, () => 0).next()).toBe(100);
  });
});

describe('component health', () => {
  test('a component is failing from its first failure until its next success; changes are reported once', () => {
    const changes: string[] = [];
    const h = new ComponentHealth((c, p) => changes.push(`${c}:${p ? 'failing' : 'ok'}`));
    h.ok('heartbeat');
    h.failed('heartbeat', new Error('connect ECONNREFUSED'));
    h.failed('heartbeat', new Error('the database system is starting up'));
    h.failed('projection:orders', 'down');
    expect(h.problems().map((p) => [p.component, p.error])).toEqual([
      ['heartbeat', 'the database system is starting up'],
      ['projection:orders', 'down'],
    ]);
    h.ok('heartbeat');
    h.ok('projection:orders');
    expect(h.problems()).toEqual([]);
    expect(changes).toEqual(['heartbeat:failing', 'projection:orders:failing', 'heartbeat:ok', 'projection:orders:ok']);
  });
});

describe('last-resort process handler', () => {
  const before = { u: process.listenerCount('uncaughtException'), r: process.listenerCount('unhandledRejection') };
  test('database errors are logged and survived; anything else exits 70', () => {
    const lines: string[] = [];
    const exits: number[] = [];
    const uninstall = installProcessGuard({ warn: (_f, m) => lines.push(`warn ${m}`), error: (_f, m) => lines.push(`error ${m}`) }, (c) => exits.push(c));
    try {
      expect(process.listenerCount('uncaughtException')).toBe(before.u + 1);
      process.emit('uncaughtException', pgError('57P01', 'terminating connection due to administrator command'));
      process.emit('unhandledRejection', pgError('57P03', 'the database system is shutting down'), Promise.resolve());
      expect(exits).toEqual([]);
      process.emit('unhandledRejection', new TypeError('x is not a function'), Promise.resolve());
      expect(exits).toEqual([EXIT_UNCAUGHT]);
      expect(lines).toEqual([
        'warn database error reached the process; keeping on serving',
        'warn database error reached the process; keeping on serving',
        'error unexpected error reached the process; exiting',
      ]);
    } finally {
      uninstall();
    }
    expect(process.listenerCount('uncaughtException')).toBe(before.u);
    expect(process.listenerCount('unhandledRejection')).toBe(before.r);
  });
});
