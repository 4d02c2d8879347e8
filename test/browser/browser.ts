import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (no browser download), with a fresh profile. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Where the browser tests leave their screenshots (TEST_OUTPUT_DIR, default test-output/browser). */
export const OUTPUT_DIR = process.env.TEST_OUTPUT_DIR ? join(process.env.TEST_OUTPUT_DIR, 'browser') : join(__dirname, '..', '..', 'test-output', 'browser');

export interface Browser {
  context: BrowserContext;
  page: Page;
  screenshot(name: string, viewport?: { width: number; height: number }): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'certledger-chromium-'));
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 } });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  return {
    context,
    page,
    async screenshot(name, viewport = { width: 1280, height: 800 }) {
      const file = join(OUTPUT_DIR, `${name}.png`);
      await page.setViewportSize(viewport);
      await page.screenshot({ path: file, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
      return file;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
