import { escapeLiteral } from 'pg';
import { inlineParameters, quote, StatementBatch, statementBytes } from '../../../src/db/statement-batch';

function sink() {
  const sent: string[] = [];
  return { sent, query: async (text: string) => (sent.push(text), { rows: [], rowCount: null }) };
}

describe('statement batch', () => {
  test('parameters become quoted literals; a $n inside a string stays as written', () => {
    expect(inlineParameters(`UPDATE t SET a = $1, b = '$2' WHERE id = $2`, ["it's", 7])).toBe(`UPDATE t SET a = 'it''s', b = '$2' WHERE id = '7'`);
    expect(inlineParameters('SELECT $1, $2', [null, ['a', 'b']])).toBe(`SELECT NULL, '{"a","b"}'`);
    expect(() => inlineParameters('SELECT $3', [1])).toThrow(/\$3/);
  });

  test('quoting gives what pg quotes, backslashes and all', () => {
    for (const text of ['', 'plain', "it's", "''", '\\', 'a\\b', "o'brien\\admin", '{"a\\"b","c"}', 'é ✓ \n']) expect(quote(text)).toBe(escapeLiteral(text));
  });

  test('consecutive plain INSERTs of one shape become one multi-row INSERT; others stay apart', async () => {
    const b = new StatementBatch();
    const insert = 'INSERT INTO t (a, b) VALUES ($1, $2)';
    await b.query(insert, [1, 'x']);
    await b.query(insert, [2, 'y']);
    await b.query('UPDATE t SET b = $1 WHERE a = $2', ['z', 1]);
    await b.query(insert, [3, 'w']);
    await b.query('INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = coalesce(EXCLUDED.b, t.b)', [3, 'v']);
    await b.query('INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = coalesce(EXCLUDED.b, t.b)', [4, 'u']);
    expect(b.size).toBe(6);
    const tx = sink();
    await b.flush(tx);
    expect(tx.sent).toHaveLength(1);
    expect(tx.sent[0].split(';\n')).toEqual([
      `INSERT INTO t (a, b) VALUES ('1', 'x'),\n('2', 'y')`,
      `UPDATE t SET b = 'z' WHERE a = '1'`,
      `INSERT INTO t (a, b) VALUES ('3', 'w')`,
      `INSERT INTO t (a, b) VALUES ('3', 'v') ON CONFLICT (a) DO UPDATE SET b = coalesce(EXCLUDED.b, t.b)`,
      `INSERT INTO t (a, b) VALUES ('4', 'u') ON CONFLICT (a) DO UPDATE SET b = coalesce(EXCLUDED.b, t.b)`,
    ]);
    expect(b.size).toBe(0);
  });

  test('the size cap counts the values an array parameter carries, not only how many there are', async () => {
    const b = new StatementBatch();
    const big = Array.from({ length: 1000 }, () => 'x'.repeat(5000));
    expect(statementBytes({ text: 'UPDATE t SET b = u.b FROM unnest($1::text[]) u(b)', params: [big] })).toBeGreaterThan(5_000_000);
    await b.query('UPDATE t SET b = u.b FROM unnest($1::text[]) u(b)', [big]);
    expect(b.size).toBe(1);
    expect(b.full).toBe(true);
    expect(b.takeStatements()).toEqual([{ text: 'UPDATE t SET b = u.b FROM unnest($1::text[]) u(b)', params: [big] }]);
    expect(b.full).toBe(false);
  });
});
