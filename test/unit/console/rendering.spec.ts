import { barChart } from '../../../src/console/chart';
import { html, qs, utc } from '../../../src/console/html';
import { certificatesCsv, certStatus } from '../../../src/console/views/certificates';

describe('console rendering', () => {
  test('every interpolated value is escaped; fragments and arrays of fragments are not', () => {
    const name = '<script>alert("x")</script>';
    const out = html`<p title="${name}">${name}${[html`<b>${'&'}</b>`, 'a<b']}</p>`.value;
    expect(out).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<b>&amp;</b>a&lt;b</p>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  test('query strings keep only the filters given', () => {
    expect(qs({ status: 'valid', name_contains: '', account: undefined, limit: 5 })).toBe('?status=valid&limit=5');
    expect(qs({})).toBe('');
  });

  test('datetime-local values are read as UTC; full timestamps are left alone', () => {
    expect(utc('2026-01-02T03:04')).toBe('2026-01-02T03:04Z');
    expect(utc('2026-01-02T03:04:05.678')).toBe('2026-01-02T03:04:05.678Z');
    expect(utc('2026-01-02T03:04:05+02:00')).toBe('2026-01-02T03:04:05+02:00');
    expect(utc('')).toBeUndefined();
  });

  test('CSV quotes what needs quoting and states each certificate status', () => {
    const now = new Date();
    const rows = [
      { certificate_id: 'a', serial: '01', names: ['x.test', 'y.test'], issued_at: now, not_after: new Date(now.getTime() + 1e6), revoked_at: null, key_type: 'ec,"p256"' },
      { certificate_id: 'b', serial: '02', names: ['z.test'], issued_at: now, not_after: new Date(now.getTime() - 1), revoked_at: null },
    ];
    const lines = certificatesCsv(rows).split('\r\n');
    expect(lines[0]).toMatch(/^certificate_id,serial,names,status,/);
    expect(lines[1]).toContain('a,01,x.test y.test,valid,');
    expect(lines[1]).toContain('"ec,""p256"""');
    expect(lines[2]).toContain(',expired,');
    expect(certStatus({ revoked_at: now, not_after: now })).toBe('revoked');
  });

  test('the chart draws one linked bar per point, escaping labels and links', () => {
    const svg = barChart([{ label: '2026-01-01', value: 2, href: '/console/certificates?a=1&b=2' }, { label: '2026-01-02', value: 0, href: '/x' }], 'issued <per> day').value;
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('href="/console/certificates?a=1&amp;b=2"');
    expect(svg).toContain('aria-label="issued &lt;per&gt; day"');
    expect(svg).toContain('<title>2026-01-01: 2</title>');
  });
});
