import { en } from './en.ts';
import type { NermConnectStrings, StringOverrides } from './strings.ts';

export const SUPPORTED_LOCALES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

/** Non-English texts load on demand, so the English bundle stays small. */
const loaders: Record<
  Exclude<SupportedLocale, 'en'>,
  () => Promise<{ strings: NermConnectStrings }>
> = {
  de: () => import('./de.ts'),
  fr: () => import('./fr.ts'),
  es: () => import('./es.ts'),
  ja: () => import('./ja.ts'),
};

/** `de-CH` → `de`; anything unsupported → `en`. */
export function resolveLocale(requested: string | null | undefined): SupportedLocale {
  const base = (requested ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return (SUPPORTED_LOCALES as readonly string[]).includes(base) ? (base as SupportedLocale) : 'en';
}

export async function loadStrings(locale: SupportedLocale): Promise<NermConnectStrings> {
  return locale === 'en' ? en : (await loaders[locale]()).strings;
}

/** Built-in strings with the page's overrides on top (English fills any gap). */
export function mergeStrings(
  base: NermConnectStrings,
  overrides: StringOverrides | undefined,
): NermConnectStrings {
  return {
    ...en,
    ...base,
    ...overrides,
    errors: { ...en.errors, ...base.errors, ...overrides?.errors },
  };
}
