// Steps of the sales story, shared by the story test's variants (desktop/phone × light/dark).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface Variant {
  name: string;
  viewport: { width: number; height: number };
  colorScheme: 'light' | 'dark';
  mobile: boolean;
}

export const VARIANTS: Variant[] = [
  {
    name: 'desktop-light',
    viewport: { width: 1360, height: 900 },
    colorScheme: 'light',
    mobile: false,
  },
  {
    name: 'desktop-dark',
    viewport: { width: 1360, height: 900 },
    colorScheme: 'dark',
    mobile: false,
  },
  {
    name: 'phone-light',
    viewport: { width: 390, height: 844 },
    colorScheme: 'light',
    mobile: true,
  },
  { name: 'phone-dark', viewport: { width: 390, height: 844 }, colorScheme: 'dark', mobile: true },
];

/** Saves one numbered screenshot per step and checks what every step must hold. */
export class Camera {
  private step = 0;
  readonly dir: string;

  constructor(
    root: string,
    private readonly variant: Variant,
  ) {
    this.dir = join(root, variant.name);
    mkdirSync(this.dir, { recursive: true });
  }

  async shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
    this.step++;
    // Nothing may scroll sideways, on a phone least of all.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(
      overflow,
      `${this.variant.name} ${name}: page wider than the screen`,
    ).toBeLessThanOrEqual(0);
    const file = `${String(this.step).padStart(2, '0')}-${name}.png`;
    await page.screenshot({ path: join(this.dir, file), fullPage: options.fullPage ?? true });
  }
}

/** Text of the role=status notice. */
export async function notice(page: Page): Promise<string> {
  return (await page.locator('#notice').textContent()) ?? '';
}

/** A figure of the directory's counts, by its label ("Offboarded" → 168). */
export async function stat(page: Page, label: string): Promise<number> {
  const figure = page.locator('.stat', { hasText: label }).locator('b');
  return Number(((await figure.textContent()) ?? '').replace(/,/g, ''));
}
