/**
 * A real Chromium for the browser tests: Debian's (installed by scripts/setup.sh) driven by playwright-core
 * through `executablePath`, never a browser Playwright downloads. BPTL_CHROMIUM points at another binary.
 * The flags keep Chromium off the network it would otherwise call at start (this machine's is closed);
 * Playwright gives each launch a new empty profile.
 */
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const chromiumPath = process.env.BPTL_CHROMIUM ?? '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (its own cookies and storage). */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    newContext: () => browser.newContext({ viewport: { width: 1280, height: 860 } }),
    close: () => browser.close(),
  };
}
