import * as acme from 'acme-client';
import type { ChallengeRig } from '../../bench/support/challenge-rig';

/** Certificates through real ACME flows (acme-client against the server process), as clients do. */
export async function newClient(directoryUrl: string, contact: string): Promise<acme.Client> {
  const client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
  await client.createAccount({ termsOfServiceAgreed: true, contact: [contact] });
  return client;
}

export async function issue(client: acme.Client, rig: ChallengeRig, names: string[], type: 'http-01' | 'dns-01'): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ commonName: names[0], altNames: names }, await acme.crypto.createPrivateEcdsaKey());
  return client.auto({
    csr,
    termsOfServiceAgreed: true,
    challengePriority: [type],
    skipChallengeVerification: true,
    challengeCreateFn: async (authz: any, challenge: any, keyAuthorization: string) => {
      if (challenge.type === 'http-01') rig.http.set(challenge.token, keyAuthorization);
      else rig.txt.set(`_acme-challenge.${authz.identifier.value}`, [keyAuthorization]);
    },
    challengeRemoveFn: async () => undefined,
  } as never);
}

/** An http-01 challenge nobody answers: a ChallengeFailed event with its problem type. */
export async function failValidation(client: acme.Client, name: string): Promise<void> {
  const order = await client.createOrder({ identifiers: [{ type: 'dns', value: name }] });
  const [authz] = await client.getAuthorizations(order);
  const ch = authz.challenges.find((c) => c.type === 'http-01')!;
  await client.completeChallenge(ch);
  await expect(client.waitForValidStatus(ch)).rejects.toThrow();
}
