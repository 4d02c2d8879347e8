import { calculateJwkThumbprint } from 'jose';
import type { Pool } from 'pg';
import type { ChallengeRig } from '../../bench/support/challenge-rig';
import { RawAcme, testAccountKey, type TestKey } from '../../bench/support/raw-acme';
import { makeCsr } from '../support/csr';
import type { TestDatabase } from '../support/database';
import { useAcmeServer } from '../support/acme-server-fixture';
import type { ServerProcess } from '../support/server-process';

const URN = 'urn:ietf:params:acme:error:';

/**
 * CAA (RFC 8659, RFC 8657) over HTTP, with the DNS answers under the test's control: checked after
 * each challenge and again at finalize (here every time: caa_recheck_after 0s), every check
 * recorded in the authorization's events.
 */
describe('CAA', () => {
  const fx = useAcmeServer('caa', (rig) => `acme:\n  caa_identities: [ca.test]\n${rig.validationYaml()}\n  caa_recheck_after: 0s`);
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let acme: RawAcme;
  let key: TestKey;
  let kid: string;
  let pool: Pool;
  beforeAll(() => void ({ db, rig, server, acme, key, kid, pool } = fx));

  /** Orders `name`, answers its http-01 challenge and waits for the authorization to settle. */
  async function validate(name: string) {
    const order = await acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: name }] }, key, { kid });
    expect(order.status).toBe(201);
    const authzUrl = order.body.authorizations[0];
    const challenge = (await acme.post(authzUrl, '', key, { kid })).body.challenges.find((c: { type: string }) => c.type === 'http-01');
    rig.http.set(challenge.token, `${challenge.token}.${await calculateJwkThumbprint(key.jwk, 'sha256')}`);
    await acme.post(challenge.url, {}, key, { kid });
    for (let i = 0; i < 100; i++) {
      const authz = (await acme.post(authzUrl, '', key, { kid })).body;
      if (authz.status !== 'pending') return { order, authz, authzId: authzUrl.split('/').pop() as string };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`authorization for ${name} did not settle`);
  }

  const events = async (authzId: string) =>
    (await pool.query('SELECT event_type, schema_version, data FROM es_events WHERE stream_id = $1 ORDER BY stream_position', [`authz-${authzId}`])).rows;

  test('records naming another CA: the challenge fails with caa, and the records seen are in ChallengeFailed', async () => {
    rig.caa.set('other.caa.test', [{ flags: 0, tag: 'issue', value: 'other-ca.test' }]);
    const { authz, authzId } = await validate('www.other.caa.test');
    expect(authz.status).toBe('invalid');
    const error = authz.challenges.find((c: { type: string }) => c.type === 'http-01').error;
    expect(error).toMatchObject({ type: `${URN}caa`, status: 403 });
    expect(error.detail).toMatch(/CAA forbids issuance for www\.other\.caa\.test: .*other-ca\.test.*\(records at other\.caa\.test\)/);
    const failed = (await events(authzId)).find((e) => e.event_type === 'ChallengeFailed');
    expect(failed.schema_version).toBe(2);
    expect(failed.data.caa).toMatchObject({
      domain: 'www.other.caa.test',
      relevantName: 'other.caa.test',
      records: [{ flags: 0, tag: 'issue', value: 'other-ca.test' }],
      identities: ['ca.test'],
      accountUri: kid,
      method: 'http-01',
      allowed: false,
    });
  }, 60_000);

  test('a DNS failure on the CAA lookup fails the challenge with dns', async () => {
    rig.caaServfail.add('servfail.caa.test');
    const { authz } = await validate('servfail.caa.test');
    expect(authz.status).toBe('invalid');
    expect(authz.challenges.find((c: { type: string }) => c.type === 'http-01').error).toMatchObject({ type: `${URN}dns`, detail: expect.stringMatching(/CAA lookup failed/) });
  }, 60_000);

  test('records naming this CA for this account (RFC 8657): valid, with the check in ChallengeValidated; a changed record refuses at finalize', async () => {
    rig.caa.set('mine.caa.test', [{ flags: 0, tag: 'issue', value: `ca.test; accounturi=${kid}; validationmethods=http-01` }]);
    const { order, authz, authzId } = await validate('mine.caa.test');
    expect(authz.status).toBe('valid');
    const validated = (await events(authzId)).find((e) => e.event_type === 'ChallengeValidated');
    expect(validated.schema_version).toBe(2);
    expect(validated.data.caa).toMatchObject({ allowed: true, relevantName: 'mine.caa.test' });

    // The holder of the domain changes its mind before the certificate is issued.
    rig.caa.set('mine.caa.test', [{ flags: 0, tag: 'issue', value: ';' }]);
    const csr = (await makeCsr(['mine.caa.test'])).toString('base64url');
    const refused = await acme.post(order.body.finalize, { csr }, key, { kid });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: `${URN}caa`, detail: expect.stringMatching(/CAA forbids issuance for mine\.caa\.test/) });
    const recheck = (await events(authzId)).filter((e) => e.event_type === 'AuthorizationCaaRechecked');
    expect(recheck).toHaveLength(1);
    expect(recheck[0].data.caa).toMatchObject({ allowed: false, records: [{ flags: 0, tag: 'issue', value: ';' }] });

    rig.caa.set('mine.caa.test', [{ flags: 0, tag: 'issue', value: 'ca.test' }]);
    const issued = await acme.post(order.body.finalize, { csr }, key, { kid });
    expect(issued.body.status).toBe('valid');
    expect((await events(authzId)).filter((e) => e.event_type === 'AuthorizationCaaRechecked').map((e) => e.data.caa.allowed)).toEqual([false, true]);
  }, 60_000);
});
