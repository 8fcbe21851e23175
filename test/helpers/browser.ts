import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's `chromium` package (`.ci/run` installs it); CHROMIUM_PATH points at another build. */
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium quiet on a closed network: no sandbox (root in a container), no GPU, no background calls. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots of browser tests, kept after the run (git-ignored). */
export const ARTIFACTS = path.resolve(__dirname, '../../test-results');

/**
 * Whether browser tests can run: CI must have Chromium (it fails otherwise); elsewhere its absence skips them
 * with a warning, as the PostgreSQL store tests do.
 */
export function chromiumInstalled(): boolean {
  if (fs.existsSync(EXECUTABLE)) return true;
  if (process.env.CI) throw new Error(`CI must run the browser tests: ${EXECUTABLE} not found (apt-get install chromium)`);
  console.warn(`${EXECUTABLE} not found: browser tests skipped (apt-get install chromium to run them)`);
  return false;
}

export interface Browser {
  context: BrowserContext;
  /** A new tab whose page errors are collected, so a test can assert that none happened. */
  page(): Promise<{ page: Page; errors: string[] }>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Headless Chromium on a fresh profile directory. */
export async function launchBrowser(): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async page() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      return { page, errors };
    },
    async screenshot(page, name) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
