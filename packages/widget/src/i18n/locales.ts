import { en } from './en.ts';
import type { NermConnectStrings, StringOverrides } from './strings.ts';

export const SUPPORTED_LOCALES = ['en', 'de', 'fr', 'es', 'ja', 'ar'] as const;
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
  ar: () => import('./ar.ts'),
};

/** The direction each locale's text runs in, set with `lang` so punctuation stays put. */
export function directionOf(locale: SupportedLocale): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}

/** `de-CH` → `de`; anything unsupported → `en`. */
export function resolveLocale(requested: string | null | undefined): SupportedLocale {
  const base = (requested ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return (SUPPORTED_LOCALES as readonly string[]).includes(base) ? (base as SupportedLocale) : 'en';
}

export async function loadStrings(locale: SupportedLocale): Promise<Partial<NermConnectStrings>> {
  return locale === 'en' ? en : (await loaders[locale]()).strings;
}

/** English texts beyond the built-in ones (every error text), once loaded. */
let englishMore: Partial<NermConnectStrings> = {};
let englishMoreLoaded: Promise<void> | undefined;

/** Loads the English error texts (once); other locales carry their own. */
export function loadEnglishErrors(): Promise<void> {
  englishMoreLoaded ??= import('./en-more.ts').then(
    (m) => void (englishMore = m.more),
    () => void (englishMoreLoaded = undefined),
  );
  return englishMoreLoaded;
}

/** Built-in strings with the page's overrides on top (English fills any gap). */
export function mergeStrings(
  base: Partial<NermConnectStrings>,
  overrides: StringOverrides | undefined,
): NermConnectStrings {
  return {
    ...en,
    ...englishMore,
    ...base,
    ...overrides,
    errors: { ...englishMore.errors, ...base.errors, ...overrides?.errors },
  } as NermConnectStrings;
}
