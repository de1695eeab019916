import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en } from '../i18n/en.ts';
import {
  directionOf,
  loadEnglishErrors,
  loadStrings,
  mergeStrings,
  resolveLocale,
  type SupportedLocale,
} from '../i18n/locales.ts';
import type { NermConnectStrings, StringOverrides } from '../i18n/strings.ts';

export interface LocaleHost extends ReactiveControllerHost, HTMLElement {
  locale: string | undefined;
  strings: StringOverrides | undefined;
}

/**
 * The element's language: picks the locale (its `locale`, else the page's `lang`), loads
 * that locale's texts on demand (English is built in), lays the host's `strings` on top,
 * and re-renders the host when they arrive. A chunk that fails to load leaves English.
 */
export class LocaleController implements ReactiveController {
  /** The texts in use. */
  t: NermConnectStrings = mergeStrings(en, undefined);
  /** The locale those texts are in, and its direction. */
  lang: SupportedLocale = 'en';
  dir: 'ltr' | 'rtl' = 'ltr';
  /** Resolves once the requested locale's texts are in use. */
  ready: Promise<void> = Promise.resolve();

  private _requested: SupportedLocale | undefined;
  private _base: Partial<NermConnectStrings> = en;
  private _overrides: StringOverrides | undefined;

  constructor(private readonly _host: LocaleHost) {
    _host.addController(this);
  }

  hostConnected(): void {
    this._sync();
  }

  hostUpdate(): void {
    this._sync();
  }

  /** The error texts (English ones load on demand), merged in once they are here. */
  async errors(): Promise<void> {
    await loadEnglishErrors();
    this.t = mergeStrings(this._base, this._overrides);
  }

  private _sync(): void {
    const host = this._host;
    if (host.strings !== this._overrides) {
      this._overrides = host.strings;
      this.t = mergeStrings(this._base, this._overrides);
    }
    const locale = resolveLocale(
      host.locale ?? host.closest('[lang]')?.getAttribute('lang') ?? navigator.language,
    );
    if (locale === this._requested) return;
    this._requested = locale;
    // Only the latest request counts: a slow chunk never overwrites a later choice.
    const settle = (lang: SupportedLocale, strings: Partial<NermConnectStrings>) => {
      if (this._requested === locale) this._use(lang, strings);
    };
    this.ready = loadStrings(locale).then(
      (strings) => settle(locale, strings),
      () => settle('en', en),
    );
  }

  private _use(locale: SupportedLocale, strings: Partial<NermConnectStrings>): void {
    this.lang = locale;
    this.dir = directionOf(locale);
    this._base = strings;
    this.t = mergeStrings(strings, this._overrides);
    this._host.requestUpdate();
  }
}
