import { finalizeKeyHash } from '../../../src/acme/http/finalize-key';
import { parseAndCheckCsr } from '../../../src/ca/csr';
import { spkiSha256 } from '../../../src/ca/spki';
import { csrDer, keyPair } from '../ca/support/keys-and-csrs';

const body = (payload: unknown) => JSON.stringify({ protected: 'e30', payload: Buffer.from(JSON.stringify(payload)).toString('base64url'), signature: 'AA' });

describe('finalizeKeyHash: the CSR key read ahead of the finalize checks', () => {
  test.each(['P-256', 'P-384', 'RSA-2048'] as const)('a %s CSR gives the hash of the key the CSR check returns', async (kind) => {
    const der = await csrDer(['a.example.com'], { keys: await keyPair(kind) });
    const checked = await parseAndCheckCsr(der, ['a.example.com'], {});
    expect(finalizeKeyHash(body({ csr: der.toString('base64url') }))).toBe(spkiSha256(checked.publicKeyDer));
    expect(finalizeKeyHash(JSON.parse(body({ csr: der.toString('base64url') })))).toBe(spkiSha256(checked.publicKeyDer));
  });

  test('anything but a finalize body with a DER CSR gives null', () => {
    for (const b of ['not json', '{}', body('x'), body({}), body({ csr: 42 }), body({ csr: 'AAAA' }), body({ csr: Buffer.from([0x30, 0x82, 0xff, 0xff]).toString('base64url') }), null]) {
      expect(finalizeKeyHash(b)).toBeNull();
    }
  });
});
