/**
 * The page's Genesys Widgets configuration: `window._genesys.widgets` (alias `_genesys.cxwidget`).
 * Plugins (WebChatService, the WebChat UI, extensions) read their settings from here.
 */
export type Config = Record<string, any>;

export interface MainConfig {
  debug: boolean;
  theme: string;
  lang: string;
  /** An i18n object ({en: {webchat: {...}}}) or the URL of one. */
  i18n?: string | Record<string, Record<string, Record<string, string>>>;
  timeFormat: 12 | 24;
  mobileMode: 'auto' | boolean;
  mobileModeBreakpoint: number;
  /** Prefixes every cookie name (`<deploymentID>._genesys.widgets...`). */
  deploymentID?: string;
  cookieOptions: Record<string, any>;
  [k: string]: any;
}

/** `_genesys.widgets`, created when missing; `_genesys.cxwidget` and `_genesys.widgets` end up the same object. */
export function widgetsConfig(): Config {
  const g = ((globalThis as any)._genesys ??= {});
  g.widgets ??= g.cxwidget ?? {};
  g.cxwidget ??= g.widgets;
  return g.widgets;
}

/** A plugin's section of the configuration, e.g. pluginConfig('webchat'). */
export const pluginConfig = (ns: string): Config => (widgetsConfig()[ns] ??= {});

/** `main` with its defaults filled in (the object in the page config is not changed). */
export function mainConfig(): MainConfig {
  const m = widgetsConfig().main ?? {};
  return {
    debug: false,
    theme: 'light',
    lang: 'en',
    mobileMode: 'auto',
    mobileModeBreakpoint: 600,
    cookieOptions: {},
    ...m,
    timeFormat: +m.timeFormat === 24 ? 24 : 12,
  };
}

let loaded: Promise<Config> | undefined;

/** Strings of one namespace for main.lang: `defaults` overridden by main.i18n (object or URL, fetched once). */
export async function i18nStrings(ns: string, defaults: Record<string, string> = {}, lang = mainConfig().lang): Promise<Record<string, string>> {
  const src = mainConfig().i18n;
  let all: Config = {};
  if (typeof src === 'string') {
    loaded ??= fetch(src)
      .then((r) => r.json())
      .catch(() => ({}));
    all = await loaded;
  } else if (src) all = src;
  return { ...defaults, ...all[lang]?.[ns] };
}
