import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type Service, startService } from '../src/service.js';
import { PROJECT_ROOT } from '../src/version.js';

// Debian's chromium (`.ci/run` installs it when missing); never a browser download.
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI === 'true')
    throw new Error(`${CHROMIUM} is missing under CI=true (apt-get install chromium)`);
  console.warn(`GraphiQL browser check skipped: no ${CHROMIUM} (apt-get install -y chromium)`);
}

let service: Service;
beforeAll(async () => {
  if (!available) return;
  // As `npm start` runs it: the embedded sandbox creates and moves a cashout every 4 s, and notifies.
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test' });
  service = await startService(config, { logger: pino({ level: 'silent' }), sandboxTickMs: 4_000 });
});
afterAll(() => service?.close());

describe.skipIf(!available)('GraphiQL in headless Chromium', () => {
  it('runs the CashoutEvents tab and shows live events from the sandbox', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${service.url}/graphql`);
      // A DOM click: with eleven tabs GraphiQL's tab bar is still sliding them into place (translateX), and a click
      // at the tab's coordinates lands on another tab.
      await page
        .locator('button[title="CashoutEvents"]')
        .evaluate((button) => (button as HTMLButtonElement).click());
      // Under load the tab switch can lag the click: execute only once the editor holds the subscription, or
      // GraphiQL runs the previous tab's operation and no event ever shows.
      await page
        .locator('.graphiql-query-editor')
        .getByText(/subscription\s+CashoutEvents/)
        .waitFor({ timeout: 0 });
      await page.locator('.graphiql-execute-button').click();
      // Each event replaces the result pane; the first NOTIFICATION (or RECONCILE) shows the sandbox's life.
      const result = page.locator('.result-window');
      // CodeMirror renders spaces as no-break spaces.
      await result.getByText(/"__typename":\s"CashoutEvent"/).waitFor({ timeout: 0 });
      expect(await result.textContent()).toMatch(/"action":\s"(NOTIFICATION|LOOKUP|RECONCILE)"/);
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        await page.screenshot({ path: path.join(PROJECT_ROOT, 'docs/graphiql-subscription.png') });
      }
    } finally {
      await browser.close();
    }
  }, 180_000); // bounded by the test's limit only: the first event comes with the sandbox's tick (4 s)
});
