import { afterEach, describe, expect, it, vi } from 'vitest';
import { chromiumForTests, findChromium, launchChromium } from './chromium.ts';

afterEach(() => vi.unstubAllEnvs());

describe('Chromium for the tests', () => {
  const chrome = chromiumForTests('test-kit Chromium tests');

  it.skipIf(!chrome)('launches headless through playwright-core and renders a page', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<p id="p">rendered</p>');
      expect(await page.locator('#p').textContent()).toBe('rendered');
      expect(await page.evaluate(() => navigator.webdriver)).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('takes CHROME_PATH when it exists, and finds nothing when it does not', () => {
    vi.stubEnv('CHROME_PATH', process.execPath);
    expect(findChromium()).toBe(process.execPath);
    vi.stubEnv('CHROME_PATH', '/nowhere/chromium');
    expect(findChromium()).toBe(undefined);
  });

  it('skips with a warning without Chromium, and fails when CI requires a browser', () => {
    vi.stubEnv('CHROME_PATH', '/nowhere/chromium');
    vi.stubEnv('NERM_CONNECT_REQUIRE_BROWSER', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(chromiumForTests('some suite')).toBe(undefined);
    expect(warn.mock.calls.join('\n')).toContain('some suite SKIPPED');
    warn.mockRestore();
    vi.stubEnv('NERM_CONNECT_REQUIRE_BROWSER', '1');
    expect(() => chromiumForTests('some suite')).toThrow(
      /No Chromium found .*some suite are required/,
    );
  });
});
