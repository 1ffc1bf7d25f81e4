import type { CXBusApi } from './bus/cxbus.js';
import { mainConfig, widgetsConfig } from './config.js';
import { Cookie, cookieName, cookieOptions } from './cookies.js';

/**
 * The App plugin and start-up: reads `window._genesys.widgets` (alias `_genesys.cxwidget`), sets
 * `_genesys.widgets.bus`, registers the bundled plugins, runs `extensions` with `($, CXBus, Common)`
 * and calls `onReady(bus)` once.
 *
 * `$` is `window.jQuery` when the page has it; otherwise a tiny stand-in: `$(selector)` returns an
 * array of matching elements, `$.extend` is Object.assign. Parley itself does not use jQuery.
 * `Common` has `Cookie` (get/set/remove), `cookieName(key)`, `cookieOptions()`, `log`, `debug`,
 * `error` and `generateUID()`.
 */
export type PluginFactory = (bus: CXBusApi) => unknown;

export const Common = {
  Cookie,
  cookieName,
  cookieOptions,
  log: (...a: unknown[]) => console.log('[Parley]', ...a),
  debug: (...a: unknown[]) => mainConfig().debug && console.debug('[Parley]', ...a),
  error: (...a: unknown[]) => console.error('[Parley]', ...a),
  generateUID: () => Date.now().toString(36) + Math.random().toString(36).slice(2),
};

function tinyDollar(): any {
  const $ = (sel: string) => (typeof sel === 'string' ? Array.from(document.querySelectorAll(sel)) : [sel]);
  return Object.assign($, { extend: Object.assign });
}

/** Starts the widgets once per page; `plugins` register themselves on the bus (a taken name is skipped). */
export function boot(bus: CXBusApi, plugins: (PluginFactory | undefined)[] = []): void {
  const w = widgetsConfig();
  w.bus = bus;
  const main = mainConfig();
  if (main.debug) bus.configure({ debug: true });
  for (const f of plugins) {
    try {
      if (typeof f === 'function') f(bus);
    } catch (err) {
      Common.error('a plugin failed to start', err);
    }
  }
  const app = bus.registerPlugin('App');
  if (!app) return; // already booted by another bundle
  app.data('main', main);
  const set = (key: 'theme' | 'lang', event: string) => (e: any) => {
    const v = e.data?.[key];
    if (typeof v !== 'string' || !v) return e.deferred.reject(`No ${key} provided.`);
    (w.main ??= {})[key] = main[key] = v;
    app.data('main', main);
    app.publish(event, { [key]: v });
    e.deferred.resolve(main);
  };
  app.registerCommand('setTheme', set('theme', 'themeChanged'));
  app.registerCommand('setLanguage', set('lang', 'languageChanged'));
  app.registerCommand('getConfig', (e) => e.deferred.resolve(w));
  app.registerEvents(['ready', 'themeChanged', 'languageChanged']);
  const $ = (globalThis as any).jQuery ?? tinyDollar();
  for (const [name, ext] of Object.entries<any>(w.extensions ?? {})) {
    try {
      if (typeof ext === 'function') ext($, bus, Common);
    } catch (err) {
      Common.error(`extension ${name} failed`, err);
    }
  }
  app.ready();
  app.republish('ready', { main });
  if (typeof w.onReady === 'function') {
    try {
      w.onReady(bus);
    } catch (err) {
      Common.error('onReady failed', err);
    }
  }
}
