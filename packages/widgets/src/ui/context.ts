import { h, icon } from './dom.js';
import type { Deferredish, PluginApi } from './types.js';

export type Options = Record<string, any>;

/** What every WebChat view needs from the plugin: strings, ids, the bus and the page's configuration. */
export interface UiContext {
  /** The `webchat` i18n string for `key` (the key itself when unknown). */
  text(key: string): string;
  /** An id unique on the page, for aria references. */
  uniqueId(suffix: string): string;
  /** Publishes a `WebChat.<event>` event. */
  publish(event: string, data?: unknown): void;
  /** Runs a bus command as the WebChat plugin. */
  command(name: string, options?: unknown): Deferredish;
  /** `_genesys.widgets.main` */
  main: Options;
  /** `_genesys.widgets.webchat` */
  webchat: Options;
  timeFormat: 12 | 24;
}

let lastId = 0;

export function createContext(plugin: PluginApi, main: Options, webchat: Options, text: (key: string) => string): UiContext {
  return {
    text,
    uniqueId: (suffix) => `pz${++lastId}-${suffix}`,
    publish: (event, data) => plugin.publish(event, data),
    command: (name, options) => plugin.command(name, options),
    main,
    webchat,
    timeFormat: +(webchat.timeFormat || main.timeFormat) === 12 ? 12 : 24,
  };
}

/** A deferred as a promise. */
export function settle<T = any>(d: Deferredish): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    d.done(resolve);
    d.fail(reject);
  });
}

export function iconButton(className: string, label: string, path: string): HTMLButtonElement {
  return h('button', { type: 'button', class: className, 'aria-label': label, title: label }, icon(path));
}
