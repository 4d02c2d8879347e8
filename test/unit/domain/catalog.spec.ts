import * as domain from '../../../src/domain';
import { evolveAccount, evolveAccountKey } from '../../../src/domain/account';
import { evolveAuthorization } from '../../../src/domain/authorization';
import { evolveCertificate } from '../../../src/domain/certificate';
import { evolveEabKey } from '../../../src/domain/eab';
import {
  assertKnownEvent,
  type DomainEvent,
  EVENT_CATALOG,
  EVENT_SCHEMA_VERSIONS,
  EVENT_TYPES,
  isKnownEvent,
  StreamIntegrityError,
  UnknownEventTypeError,
  UnsupportedSchemaVersionError,
} from '../../../src/domain/events';
import { evolveOrder } from '../../../src/domain/order';
import { accountRegistered, orderCreated } from './support/histories';

const bogus = { type: 'AccountRenamed', data: {} } as unknown as DomainEvent;

describe('event catalog', () => {
  test('every catalogued type is known, with a schema version of at least 1', () => {
    expect(EVENT_TYPES.length).toBeGreaterThanOrEqual(24);
    for (const t of EVENT_TYPES) {
      expect(() => assertKnownEvent(t)).not.toThrow();
      expect(EVENT_SCHEMA_VERSIONS[t]).toBeGreaterThanOrEqual(1);
    }
  });

  test('given an unknown type, when asserted, then it is an error naming the type', () => {
    expect(() => assertKnownEvent('AccountRenamed')).toThrow(UnknownEventTypeError);
    expect(() => assertKnownEvent('AccountRenamed')).toThrow(/AccountRenamed/);
    expect(isKnownEvent('AccountRenamed')).toBe(false);
    // Names are matched exactly, and inherited object members are not event types.
    expect(isKnownEvent('accountregistered')).toBe(false);
    expect(isKnownEvent('toString')).toBe(false);
  });

  test('given an event written by a newer release, when asserted with its version, then it is refused', () => {
    expect(() => assertKnownEvent('OrderCreated', 1)).not.toThrow();
    expect(() => assertKnownEvent('OrderCreated', 2)).not.toThrow();
    expect(() => assertKnownEvent('OrderCreated', 3)).toThrow(UnsupportedSchemaVersionError);
  });

  test.each([
    ['account', evolveAccount],
    ['account-key', evolveAccountKey],
    ['order', evolveOrder],
    ['authz', evolveAuthorization],
    ['cert', evolveCertificate],
    ['eab', evolveEabKey],
  ] as const)('evolve of %s refuses an unknown event type instead of ignoring it', (_name, evolve) => {
    expect(() => (evolve as (s: unknown, e: DomainEvent) => unknown)(null, bogus)).toThrow(UnknownEventTypeError);
  });

  test('evolve refuses an event of another aggregate and an event before creation', () => {
    expect(() => evolveOrder(null, accountRegistered())).toThrow(StreamIntegrityError);
    expect(() => evolveAccount(null, { type: 'AccountDeactivated', data: { by: 'account', reason: null } })).toThrow(/precedes the creation/);
    const order = evolveOrder(null, orderCreated());
    expect(() => evolveOrder(order, orderCreated())).toThrow(/created twice/);
  });

  test('every event type belongs to exactly one kind of stream', () => {
    const categories = new Set(Object.values(EVENT_CATALOG).map((e) => e.stream));
    expect([...categories].sort()).toEqual(['account', 'account-key', 'authz', 'cert', 'eab', 'order', 'ratelimit', 'system-maintenance']);
  });
});

describe('domain barrel', () => {
  test('exports every aggregate, the catalog and the policies from one module', () => {
    for (const name of ['accountDecider', 'accountKeyDecider', 'orderDecider', 'authorizationDecider', 'certificateDecider']) {
      expect(domain[name as keyof typeof domain]).toMatchObject({ initialState: null, evolve: expect.any(Function), decide: expect.any(Function) });
    }
    for (const name of ['assertKnownEvent', 'deriveOrderStatus', 'authorizationStatus', 'normalizeIdentifiers', 'validateContact', 'parseStreamName', 'parseRevocationReason', 'offeredChallengeTypes', 'AcmeError']) {
      expect(typeof domain[name as keyof typeof domain]).toBe('function');
    }
  });
});
