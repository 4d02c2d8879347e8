import { errorsOf, load } from './config-files';

describe('removed keys', () => {
  test('eventstore.backend is refused with the reason, whatever its value', () => {
    for (const value of ['postgres', 'kurrentdb']) {
      expect(errorsOf(`eventstore:\n  backend: ${value}\n`)).toEqual([
        'eventstore.backend: removed — only PostgreSQL is supported until a KurrentDB adapter passes the event store contract suite against a real server; delete the key',
      ]);
    }
  });

  test('the eventstore.kurrentdb section is refused, and reported alongside other problems', () => {
    expect(errorsOf('eventstore:\n  backend: kurrentdb\n  kurrentdb:\n    connection_string: kurrentdb://x\nserver:\n  lisen: 1\n')).toEqual([
      'eventstore.backend: removed — only PostgreSQL is supported until a KurrentDB adapter passes the event store contract suite against a real server; delete the key',
      'eventstore.kurrentdb: removed — there is no KurrentDB adapter (events are stored in PostgreSQL, database.url); delete the section',
      "server.lisen: unknown key (did you mean 'listen'?)",
    ]);
  });

  test('the rest of the eventstore section still loads', () => {
    const c = load('eventstore:\n  poll_interval: 250ms\n');
    expect(c.eventstore).toEqual({ poll_interval: 250 });
  });
});
