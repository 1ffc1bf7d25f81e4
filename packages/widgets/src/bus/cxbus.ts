import { deferred, rejected, resolved, safeCall, type Deferred } from './deferred.js';

/**
 * CXBus: the publish/subscribe and command bus of Genesys Widgets (the page-facing API Genesys Widgets pages call).
 * Plugins register by name; events are `Plugin.event`; commands are `Plugin.command` and return a
 * deferred. A command to a plugin that is registered but not ready waits until it calls `ready()`;
 * a command to an unknown plugin first waits for files being loaded, then tries to load the plugin's
 * file from `pluginsPath`.
 */
export const CANCELLED = "Command was cancelled by a 'before' function.";
export const LOAD_FAILED = 'Could not load plugin file in given location. Check your plugins path option.';

export interface BusEvent<D = any> {
  time: number;
  publisher: string;
  event: string;
  data: D;
}
export interface CommandEvent<D = any> {
  time: number;
  commander: string;
  command: string;
  deferred: Deferred;
  data: D;
}
export type Subscriber = (e: BusEvent) => void;
export type CommandHandler = (e: CommandEvent) => void;
export type BeforeHook = (options: any) => any;

export interface BusOptions {
  debug?: boolean;
  /** true: every subscriber and command handler runs on a later tick. */
  async?: boolean;
  /** Folder of plugin files, e.g. '/widgets/plugins/'. Without it, unknown plugins are not loaded. */
  pluginsPath?: string;
  /** How a plugin name becomes a file name: 'kebab' (WebChatService -> web-chat-service, the default), 'lowercase', or a function. */
  pluginFilenameFormat?: 'kebab' | 'lowercase' | ((name: string) => string);
  /** Plugin name -> file name (without .min.js), checked before pluginFilenameFormat. */
  pluginMap?: Record<string, string>;
}

export interface Plugin {
  readonly name: string;
  publish(event: string, data?: unknown): void;
  /** Publishes and keeps the event: later subscribers get it at once (used for `ready`). */
  republish(event: string, data?: unknown): void;
  /** Returns a subscription id (accepted by unsubscribe). */
  subscribe(event: string, fn: Subscriber): string | false;
  /** Removes this plugin's subscriptions to an event, or one subscription by id. */
  unsubscribe(eventOrId: string): void;
  command<T = any>(name: string, options?: unknown): Deferred<T>;
  before(command: string, fn: BeforeHook): void;
  registerCommand(name: string, fn: CommandHandler): boolean;
  registerEvents(names: string[]): void;
  ready(): void;
  /** data(key) reads, data(key, value) writes and publishes `Plugin.data.key`, data('Other.key') reads another plugin's. */
  data(key?: string, ...value: unknown[]): any;
}

export interface CXBusApi extends Plugin {
  configure(opts?: BusOptions): BusOptions;
  registerPlugin(name: string): Plugin | false;
  loadPlugin(name: string): Deferred;
  loadFile(url: string): Deferred;
  /** Plugin files already on the page (bundled), so loadPlugin resolves without a request. */
  loaded: string[];
}

interface Rec {
  ready: boolean;
  cmds: Record<string, CommandHandler>;
  queue: (() => void)[];
  data: Record<string, unknown>;
  events: string[];
}
interface Sub {
  id: string;
  owner: string;
  event: string;
  fn: Subscriber;
}

export function createBus(): CXBusApi {
  const opts: BusOptions = { pluginMap: { WebChat: 'widgets-core', App: 'widgets-core', WebChatService: 'webchat-service' } };
  const plugins: Record<string, Rec> = Object.create(null);
  let subs: Sub[] = [];
  const retained = new Map<string, BusEvent>();
  const befores: Record<string, BeforeHook[]> = Object.create(null);
  const files = new Map<string, Deferred>();
  let seq = 0;

  const later = (fn: () => void) => (opts.async ? void setTimeout(fn) : fn());
  const log = (...a: unknown[]) => opts.debug && console.log('[CXBus]', ...a);

  function publish(owner: string, event: string, data: unknown, keep?: boolean) {
    const e: BusEvent = { time: Date.now(), publisher: owner, event: owner + '.' + event, data };
    log('event', e.event, data);
    if (keep) retained.set(e.event, e);
    for (const s of subs.slice()) if (s.event === e.event) later(() => safeCall(s.fn, e));
  }

  function subscribe(owner: string, event: string, fn: Subscriber): string | false {
    if (typeof event !== 'string' || typeof fn !== 'function') return false;
    const id = 'sub' + ++seq;
    subs.push({ id, owner, event, fn });
    const kept = retained.get(event);
    if (kept) later(() => safeCall(fn, kept));
    return id;
  }

  // Calls cb once no file is being loaded.
  function whenIdle(cb: () => void) {
    const busy = [...files.values()].find((f) => f.state() === 'pending');
    busy ? busy.always(() => whenIdle(cb)) : cb();
  }

  function command(commander: string, name: string, options: unknown): Deferred {
    const d = deferred();
    const dot = String(name).indexOf('.');
    const pname = String(name).slice(0, dot);
    const cname = String(name).slice(dot + 1);
    log('command', name, options);
    const exec = () => {
      const fn = plugins[pname]?.cmds[cname];
      if (!fn) return void d.reject(`Command '${name}' does not exist.`);
      let data: any = options ?? {};
      for (const hook of befores[name] ?? []) {
        try {
          data = hook(data);
        } catch (err) {
          console.error('[CXBus]', err);
          data = null;
        }
        if (!data || typeof data !== 'object') return void d.reject(CANCELLED);
      }
      later(() => {
        try {
          fn({ time: Date.now(), commander, command: name, deferred: d, data });
        } catch (err) {
          console.error('[CXBus]', err);
          d.reject(err instanceof Error ? err.message : err);
        }
      });
    };
    const dispatch = () => {
      const rec = plugins[pname]!;
      rec.ready ? exec() : rec.queue.push(exec);
    };
    if (dot < 1) d.reject(`Command '${name}' does not exist.`);
    else if (plugins[pname]) dispatch();
    else whenIdle(() => (plugins[pname] ? dispatch() : loadPlugin(pname).always(() => (plugins[pname] ? dispatch() : d.reject(LOAD_FAILED)))));
    return d;
  }

  function data(owner: string, args: unknown[]): any {
    const own = plugins[owner]!.data;
    const key = args[0] as string | undefined;
    if (args.length > 1) {
      own[key!] = args[1];
      publish(owner, 'data.' + key, args[1]);
      return args[1];
    }
    if (key == null) return own;
    if (key in own) return own[key];
    const dot = key.indexOf('.');
    return dot > 0 ? plugins[key.slice(0, dot)]?.data[key.slice(dot + 1)] : undefined;
  }

  function fileName(name: string): string {
    const f = opts.pluginFilenameFormat;
    return opts.pluginMap?.[name] ?? (typeof f === 'function' ? f(name) : f === 'lowercase' ? name.toLowerCase() : name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase());
  }

  function loadFile(url: string): Deferred {
    let d = files.get(url);
    if (d) return d;
    d = deferred();
    if (typeof document === 'undefined') {
      d.reject(LOAD_FAILED);
      return d;
    }
    files.set(url, d);
    const s = document.createElement('script');
    s.src = url;
    s.async = true;
    s.onload = () => d!.resolve(url);
    s.onerror = () => {
      files.delete(url);
      s.remove();
      d!.reject(LOAD_FAILED);
    };
    document.head.appendChild(s);
    return d;
  }

  function loadPlugin(name: string): Deferred {
    const base = fileName(name);
    if (bus.loaded.includes(base) || plugins[name]) return resolved();
    if (opts.pluginsPath == null) return rejected(LOAD_FAILED);
    return loadFile(opts.pluginsPath.replace(/\/?$/, '/') + base + '.min.js').done(() => bus.loaded.push(base));
  }

  function registerPlugin(name: string): Plugin | false {
    if (!name || typeof name !== 'string' || plugins[name]) return false;
    const rec: Rec = (plugins[name] = { ready: false, cmds: Object.create(null), queue: [], data: Object.create(null), events: [] });
    log('registered', name);
    return {
      name,
      publish: (e, d) => publish(name, e, d),
      republish: (e, d) => publish(name, e, d, true),
      subscribe: (e, fn) => subscribe(name, e, fn),
      unsubscribe: (x) => void (subs = subs.filter((s) => !(s.id === x || (s.owner === name && s.event === x)))),
      command: (n, o) => command(name, n, o),
      before: (n, fn) => void (typeof fn === 'function' && (befores[n] ??= []).push(fn)),
      registerCommand: (n, fn) => typeof fn === 'function' && !!(rec.cmds[n] = fn),
      registerEvents: (names) => void rec.events.push(...(Array.isArray(names) ? names : [])),
      ready() {
        rec.ready = true;
        rec.queue.splice(0).forEach((f) => f());
      },
      data: (...args) => data(name, args),
    };
  }

  const bus = Object.assign(registerPlugin('CXBus') as Plugin, {
    configure: (o?: BusOptions) => Object.assign(opts, o, { pluginMap: { ...opts.pluginMap, ...o?.pluginMap } }),
    registerPlugin,
    loadPlugin,
    loadFile,
    loaded: [] as string[],
  });
  bus.ready();
  return bus;
}

/** The page's bus: `window.CXBus` when one exists (e.g. cxbus.min.js loaded first), else a new one installed there. */
export function getBus(): CXBusApi {
  const w = globalThis as { CXBus?: CXBusApi };
  if (!w.CXBus || typeof w.CXBus.registerPlugin !== 'function') w.CXBus = createBus();
  return w.CXBus;
}
