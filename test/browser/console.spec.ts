import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Crl } from '@peculiar/x509';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { dataDirectory } from '../support/data-dir';
import { runCli, type ServerProcess, startServer, writeConfig } from '../support/server-process';
import { type Browser, launchBrowser, OUTPUT_DIR } from './browser';
import { failValidation, issue, newClient } from './fixtures';

const SECRET = 'a-console-token-secret-of-at-least-32-chars';

/** Polls until `check` returns a value (not a fixed sleep): the condition decides, the deadline only bounds a hang. */
async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The console in Debian's chromium against the built server on an embedded database, filled by
 * real ACME flows: sign-in, overview figures against the API, search, a certificate's timeline,
 * revocation (and the CRL), the auditor's view and forged requests, sign-out.
 */
describe('console in a browser', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let browser: Browser;
  const passwords: Record<string, string> = {};
  const certs: Record<string, string> = {};

  const api = async (path: string, token: string) => {
    const r = await fetch(`${server.baseUrl}/api${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return (await r.json()) as any;
  };
  const apiLogin = async (username: string) => {
    const r = await fetch(`${server.baseUrl}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: passwords[username] }) });
    return ((await r.json()) as { token: string }).token;
  };
  const signIn = async (username: string, password = passwords[username]) => {
    const { page } = browser;
    await page.goto(`${server.baseUrl}/console`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('domcontentloaded');
  };

  beforeAll(async () => {
    db = await createTestDatabase('console');
    rig = await new ChallengeRig().start();
    const dataDir = dataDirectory('console');
    const yaml = `data_dir: ${dataDir}\nadmin:\n  enabled: true\n  token_secret: ${SECRET}\ncrl:\n  enabled: true\n  check_interval: 500ms\n  refresh: 1h\n`;
    const cfg = writeConfig(yaml);
    for (const [username, role] of [['alice', 'admin'], ['audrey', 'auditor'], ['locky', 'auditor']]) {
      const r = runCli(['-c', cfg, 'admin', 'create-user', '--username', username, '--role', role], { DATABASE_URL: db.url });
      expect(r.status).toBe(0);
      passwords[username] = /password \(shown once\): (\S+)/.exec(r.stdout)![1];
    }
    server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: (port) => `${yaml}server:\n  listen: 127.0.0.1:${port}\n${rig.validationYaml()}\n` });
    const directoryUrl = `${server.baseUrl}/directory`;
    const shop = await newClient(directoryUrl, 'mailto:shop@console.test');
    await issue(shop, rig, ['www.shop.console.test', 'shop.console.test'], 'http-01');
    await issue(shop, rig, ['api.console.test'], 'dns-01');
    await issue(shop, rig, ['bulk.console.test'], 'http-01');
    await failValidation(shop, 'broken.console.test');
    await newClient(directoryUrl, 'mailto:gone@console.test');
    const token = await apiLogin('alice');
    for (const name of ['www.shop.console.test', 'api.console.test']) {
      certs[name] = (await until(`${name} in the read model`, async () => (await api(`/certificates?name=${name}`, token)).items[0])).certificate_id;
    }
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    if (server) writeFileSync(join(OUTPUT_DIR, 'server.log'), server.logs());
    await browser?.close();
    await server?.stop();
    await rig?.stop();
    await db?.drop();
  });

  test('sign-in: a wrong password is said plainly; the session is an httpOnly SameSite=Strict cookie, nothing in localStorage', async () => {
    const { page } = browser;
    await signIn('alice', 'not-the-password');
    await expect(page.locator('#login-error').textContent()).resolves.toContain('invalid username or password');
    await browser.screenshot('01-sign-in-error');
    // The API's login delay, in its own words: after the free attempts this address waits, even
    // with the right password.
    for (let i = 0; i < 5; i++) await signIn('locky', 'wrong');
    await signIn('locky');
    await expect(page.locator('#login-error').textContent()).resolves.toMatch(/too many failed logins for this user from .+: try again after \d{4}-/);
    await signIn('alice');
    expect(new URL(page.url()).pathname).toBe('/console/overview');
    const [cookie] = await browser.context.cookies(`${server.baseUrl}/console/`);
    expect(cookie).toMatchObject({ name: 'certledger_console', httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(await page.evaluate(() => ({ n: localStorage.length, c: document.cookie }))).toEqual({ n: 0, c: '' });
    await browser.screenshot('02-overview');
    await browser.screenshot('02-overview-phone', { width: 390, height: 844 });
  });

  test('overview figures equal the admin API, and each links to its list', async () => {
    const { page } = browser;
    const o = await api('/overview', await apiLogin('alice'));
    await page.goto(`${server.baseUrl}/console/overview`);
    const figure = async (name: string) => (await page.locator(`[data-figure="${name}"]`).textContent())!.trim();
    expect(Number(await figure('issued-90d'))).toBe(o.issued_per_day.reduce((n: number, d: { count: number }) => n + d.count, 0));
    expect(Number(await figure('issued-90d'))).toBe(3);
    for (const e of o.expiring) expect(Number(await figure(`expiring-${e.days}`))).toBe(e.count);
    for (const [status, n] of Object.entries(o.orders_by_status)) expect(Number(await figure(`orders-${status}`))).toBe(n);
    expect(o.failed_validations.length).toBeGreaterThan(0);
    for (const f of o.failed_validations) expect(Number(await figure(`failed-${f.problem_type.split(':').pop()}`))).toBe(f.count);
    expect(await figure('maintenance')).toBe(o.maintenance.enabled ? 'on' : 'off');
    // The 90-day figure opens the certificates it counts.
    await page.locator('[data-figure="issued-90d"]').click();
    await page.waitForURL(/\/console\/certificates\?/);
    await expect(page.locator('#certificates tbody tr[data-certificate]').count()).resolves.toBe(3);
    // The failed validations open the ChallengeFailed events of that problem type.
    await page.goto(`${server.baseUrl}/console/overview`);
    await page.locator('[data-figure^="failed-"]').first().click();
    await page.waitForURL(/type=ChallengeFailed/);
    await expect(page.locator('#audit tbody tr[data-event-type="ChallengeFailed"]').count()).resolves.toBe(o.failed_validations[0].count);
  });

  test('search finds a certificate by part of its name; CSV of the result', async () => {
    const { page } = browser;
    await page.goto(`${server.baseUrl}/console/certificates`);
    await page.getByLabel('Name contains').fill('shop.con');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/name_contains=shop.con/);
    const rows = page.locator('#certificates tbody tr[data-certificate]');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().getAttribute('data-certificate')).resolves.toBe(certs['www.shop.console.test']);
    await browser.screenshot('03-certificates');
    await browser.screenshot('03-certificates-phone', { width: 390, height: 844 });
    const csv = await page.request.get(`${server.baseUrl}/console/certificates.csv?name_contains=shop.con`);
    expect(csv.headers()['content-type']).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('shop.console.test www.shop.console.test');
  });

  test("a certificate's timeline lists its order's events in order, with the validation record; state at a past instant", async () => {
    const { page } = browser;
    await page.locator(`#certificates a[href="/console/certificates/${certs['www.shop.console.test']}"]`).click();
    await page.waitForURL(/\/console\/certificates\/[^/?]+$/);
    await expect(page.locator('[data-field="names"]').textContent()).resolves.toContain('www.shop.console.test');
    const types = await page.locator('#timeline > li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-type')));
    const at = (t: string) => types.indexOf(t);
    for (const t of ['OrderCreated', 'AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeValidated', 'OrderFinalizationRequested', 'CertificateIssued', 'OrderCertificateIssued']) expect(at(t)).toBeGreaterThanOrEqual(0);
    expect(at('OrderCreated')).toBeLessThan(at('ChallengeValidationRequested'));
    expect(at('ChallengeValidationRequested')).toBeLessThan(at('ChallengeValidated'));
    expect(at('ChallengeValidated')).toBeLessThan(at('OrderFinalizationRequested'));
    expect(at('OrderFinalizationRequested')).toBeLessThan(at('CertificateIssued'));
    expect(types.filter((t) => t === 'ChallengeValidated')).toHaveLength(2);
    const record = await page.locator('li[data-event-type="ChallengeValidated"] [data-evidence="validation-record"]').first().textContent();
    expect(record).toMatch(/http-01|127\.0\.0\.1/);
    await expect(page.locator('li[data-event-type="OrderFinalizationRequested"] [data-evidence="csr"]').textContent()).resolves.toContain('BEGIN CERTIFICATE REQUEST');
    await expect(page.locator('li[data-event-type="OrderCreated"] .provenance').first().textContent()).resolves.toMatch(/actor account:/);
    await browser.screenshot('04-certificate-timeline');
    // State at the instant the first challenge was validated: the order existed, the certificate not yet.
    const first = await page.locator('#timeline > li[data-event-type="ChallengeValidated"] time').first().getAttribute('datetime');
    await page.getByLabel('Instant (UTC)').fill(first!.slice(0, 23));
    await page.getByRole('button', { name: 'Show state' }).click();
    await until('the state fragment', async () => (await page.locator(`[data-state-stream="cert-${certs['www.shop.console.test']}"] pre`).textContent())?.trim() === 'null');
    await expect(page.locator('[data-state-stream^="order-"] pre').textContent()).resolves.toContain('"orderId"');
  });

  test('an admin revokes the certificate and sees it revoked, and in the CRL', async () => {
    const { page } = browser;
    const id = certs['www.shop.console.test'];
    await page.goto(`${server.baseUrl}/console/certificates/${id}`);
    const serial = (await page.locator('[data-field="serial"]').textContent())!.trim();
    await page.getByLabel('Reason').selectOption('4');
    await page.getByLabel('I confirm revoking this certificate').check();
    await page.getByRole('button', { name: 'Revoke certificate' }).click();
    await page.waitForURL(/done=revoked/);
    await expect(page.locator('[data-field="status"]').textContent()).resolves.toMatch(/^revoked \(reason 4/);
    await expect(page.locator('li[data-event-type="CertificateRevoked"] .provenance').textContent()).resolves.toContain('actor admin:alice');
    await browser.screenshot('05-certificate-revoked');
    const inCrl = await until('the serial in the CRL', async () => {
      const r = await fetch(`${server.baseUrl}/crl`);
      if (!r.ok) return false;
      const crl = new X509Crl(Buffer.from(await r.arrayBuffer()));
      return crl.entries.some((e) => e.serialNumber.replace(/^0+/, '').toLowerCase() === serial.replace(/^0+/, '').toLowerCase());
    });
    expect(inCrl).toBe(true);
  });

  test('other pages render for the admin: orders, accounts, an account, audit trail, actions with a new EAB key shown once', async () => {
    const { page } = browser;
    for (const [path, name] of [['orders', '06-orders'], ['accounts', '07-accounts'], ['audit', '09-audit']]) {
      await page.goto(`${server.baseUrl}/console/${path}`);
      await expect(page.locator('h1').textContent()).resolves.toBeTruthy();
      await browser.screenshot(name);
    }
    await page.goto(`${server.baseUrl}/console/accounts`);
    await page.locator('table a[href^="/console/accounts/"]').first().click();
    await page.waitForURL(/\/console\/accounts\/.+/);
    await expect(page.getByRole('button', { name: 'Deactivate account' }).count()).resolves.toBe(1);
    await browser.screenshot('08-account');
    await page.goto(`${server.baseUrl}/console/actions`);
    await page.getByLabel('Note').fill('for the staging cluster');
    await page.getByRole('button', { name: 'Create EAB key' }).click();
    await expect(page.locator('#eab-hmac').textContent()).resolves.toMatch(/^[A-Za-z0-9_-]{20,}$/);
    await expect(page.getByRole('button', { name: 'Copy HMAC key' }).count()).resolves.toBe(1);
    await browser.screenshot('10-actions');
    await page.goto(`${server.baseUrl}/console/actions`);
    await expect(page.locator('#eab-hmac').count()).resolves.toBe(0);
    await expect(page.locator('#eab-keys').textContent()).resolves.toContain('for the staging cluster');
  });

  test('admin actions: revoke a selection only with the expected count, maintenance on and off, deactivate an account with a reason', async () => {
    const { page } = browser;
    await page.goto(`${server.baseUrl}/console/actions`);
    const bulk = page.locator('form[action="/console/certificates/revoke"]');
    await bulk.getByLabel('Exact name').fill('bulk.console.test');
    await bulk.getByLabel('Expected number').fill('2');
    await bulk.getByRole('button', { name: 'Revoke selection' }).click();
    await expect(page.locator('[role=alert]').textContent()).resolves.toContain('matches 1 unrevoked certificates, not the expected 2; nothing was revoked');
    await page.goto(`${server.baseUrl}/console/actions`);
    await bulk.getByLabel('Exact name').fill('bulk.console.test');
    await bulk.getByLabel('Reason').selectOption('5');
    await bulk.getByLabel('Expected number').fill('1');
    await bulk.getByRole('button', { name: 'Revoke selection' }).click();
    await expect(page.locator('[role=status]').textContent()).resolves.toContain('1 certificates revoked');

    await page.goto(`${server.baseUrl}/console/actions`);
    await page.getByLabel('Reason', { exact: true }).first().fill('key ceremony');
    await page.getByRole('button', { name: 'Turn maintenance on' }).click();
    await page.waitForURL(/done=maintenance/);
    await expect(page.locator('[data-field="maintenance"]').textContent()).resolves.toBe('on');
    expect((await api('/maintenance', await apiLogin('alice'))).reason).toBe('key ceremony');
    await page.getByRole('button', { name: 'Turn maintenance off' }).click();
    await page.waitForURL(/done=maintenance/);
    await expect(page.locator('[data-field="maintenance"]').textContent()).resolves.toBe('off');

    const accounts = (await api('/accounts', await apiLogin('alice'))).items as Array<{ account_id: string; contact: string[] }>;
    const gone = accounts.find((a) => a.contact.includes('mailto:gone@console.test'))!;
    await page.goto(`${server.baseUrl}/console/accounts/${gone.account_id}`);
    await page.getByLabel('Reason').fill('customer left');
    // Without the confirmation the browser does not even send the form.
    await page.getByRole('button', { name: 'Deactivate account' }).click();
    expect(page.url()).not.toContain('done=');
    await page.getByLabel('I confirm deactivating this account').check();
    await page.getByRole('button', { name: 'Deactivate account' }).click();
    await page.waitForURL(/done=deactivated/);
    await expect(page.locator('h1').textContent()).resolves.toContain('deactivated');
    const history = await api(`/history/account-${gone.account_id}`, await apiLogin('alice'));
    expect(history.events.at(-1)).toMatchObject({ type: 'AccountDeactivated', data: { by: 'admin', reason: 'customer left' }, metadata: { actor: 'admin:alice' } });
  });

  test('keyboard: the first Tab reaches the skip link, form controls have labels', async () => {
    const { page } = browser;
    await page.goto(`${server.baseUrl}/console/certificates`);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    const unlabelled = await page.locator('main input:not([type=hidden]), main select').evaluateAll((els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).length);
    expect(unlabelled).toBe(0);
  });

  test('sign-out invalidates the session, not only the cookie', async () => {
    const { page } = browser;
    const [cookie] = await browser.context.cookies(`${server.baseUrl}/console/`);
    await page.goto(`${server.baseUrl}/console/overview`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/login\?signed_out=1/);
    await expect(page.locator('[role=status]').textContent()).resolves.toContain('signed out');
    const replay = await fetch(`${server.baseUrl}/console/overview`, { headers: { Cookie: `${cookie.name}=${cookie.value}` }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toMatch(/^\/console\/login/);
    const me = await fetch(`${server.baseUrl}/api/me`, { headers: { Authorization: `Bearer ${cookie.value}` } });
    expect(me.status).toBe(401);
  });

  test('an auditor sees no action buttons, and forged action requests are refused', async () => {
    const { page } = browser;
    await signIn('audrey');
    await expect(page.locator('.who').getAttribute('data-role')).resolves.toBe('auditor');
    await expect(page.getByRole('link', { name: 'Actions' }).count()).resolves.toBe(0);
    const id = certs['api.console.test'];
    await page.goto(`${server.baseUrl}/console/certificates/${id}`);
    await expect(page.locator('#timeline > li').count()).resolves.toBeGreaterThan(3);
    await expect(page.locator('main button.danger, main form[method=post]').count()).resolves.toBe(0);
    await browser.screenshot('11-auditor-certificate');
    await page.goto(`${server.baseUrl}/console/certificates?name_contains=console.test`);
    await expect(page.getByText('Revoke selection').count()).resolves.toBe(0);
    expect((await page.goto(`${server.baseUrl}/console/actions`))!.status()).toBe(403);

    // Forged: the auditor's own session and CSRF token, posting the admin's form.
    await page.goto(`${server.baseUrl}/console/overview`);
    const csrf = await page.locator('header form input[name=_csrf]').getAttribute('value');
    const forged = await page.request.post(`${server.baseUrl}/console/certificates/${id}/revoke`, { form: { _csrf: csrf!, reason: '1', confirm: 'yes' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('auditor role may not do this');
    // Without the CSRF token, or from another origin, even the request itself is refused.
    expect((await page.request.post(`${server.baseUrl}/console/maintenance`, { form: { enabled: 'true' }, maxRedirects: 0 })).status()).toBe(403);
    const [cookie] = await browser.context.cookies(`${server.baseUrl}/console/`);
    const crossSite = await fetch(`${server.baseUrl}/console/maintenance`, {
      method: 'POST',
      headers: { Cookie: `${cookie.name}=${cookie.value}`, Origin: 'http://evil.test', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf!, enabled: 'true' }).toString(),
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    // The API refuses the auditor as well.
    const viaApi = await fetch(`${server.baseUrl}/api/certificates/${id}/revoke`, { method: 'POST', headers: { Authorization: `Bearer ${cookie.value}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(viaApi.status).toBe(403);
    const admin = await apiLogin('alice');
    expect((await api(`/certificates?name=api.console.test`, admin)).items[0].revoked_at).toBeNull();
    expect((await api('/maintenance', admin)).enabled).toBe(false);
  });
});
