import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { boot, Common } from './app.js';
import { getBus, type CXBusApi } from './bus/cxbus.js';
import { mainConfig, widgetsConfig } from './config.js';
import { cookieName } from './cookies.js';
import { registerWebChatService } from './service/webchat-service.js';
import { clearCookies, startServer, TestAgent, v3Config, type TestServer } from './service/server.testkit.js';

const g = globalThis as any;
const fresh = (widgets: Record<string, any> | null, alias = false): CXBusApi => {
  g.CXBus = undefined;
  g._genesys = widgets ? { [alias ? 'cxwidget' : 'widgets']: widgets } : undefined;
  return getBus();
};

describe('App bootstrap', () => {
  it('sets the bus globals, runs extensions with ($, CXBus, Common) before onReady, calls onReady once', () => {
    const order: string[] = [];
    const ext = vi.fn(($: any, bus: any, common: any) => {
      order.push('extension');
      expect(typeof $).toBe('function');
      expect(bus).toBe(g.CXBus);
      expect(common).toBe(Common);
      expect(Array.isArray($('body'))).toBe(true);
      const mine = bus.registerPlugin('MyExtension');
      mine.subscribe('App.ready', () => order.push('App.ready seen by extension'));
    });
    const onReady = vi.fn((bus: any) => {
      order.push('onReady');
      expect(bus).toBe(g.CXBus);
    });
    const bus = fresh({ main: { theme: 'dark', lang: 'fr', deploymentID: 'site1' }, extensions: { Mine: ext, NotAFunction: 5 }, onReady });
    boot(bus);
    expect(g._genesys.widgets.bus).toBe(bus);
    expect(ext).toHaveBeenCalledTimes(1);
    expect(onReady).toHaveBeenCalledTimes(1);
    expect(order).toEqual(['extension', 'App.ready seen by extension', 'onReady']);
    // a second bundle booting on the same page does nothing
    boot(bus);
    expect(onReady).toHaveBeenCalledTimes(1);
    expect(bus.data('App.main')).toMatchObject({ theme: 'dark', lang: 'fr', deploymentID: 'site1', timeFormat: 12, mobileMode: 'auto', mobileModeBreakpoint: 600 });
    expect(cookieName('webchat.state.keys')).toBe('site1._genesys.widgets.webchat.state.keys');
  });

  it('accepts _genesys.cxwidget as an alias and registers given plugins before extensions run', () => {
    const seen: string[] = [];
    const bus = fresh({ extensions: { E: (_$: unknown, b: CXBusApi) => seen.push(String(b.registerPlugin('Early'))) } }, true);
    boot(bus, [(b) => b.registerPlugin('Early')]);
    expect(g._genesys.widgets).toBe(g._genesys.cxwidget);
    expect(g._genesys.cxwidget.bus).toBe(bus);
    expect(seen).toEqual(['false']);
  });

  it('an extension or onReady that throws does not stop the start-up', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const onReady = vi.fn();
    const bus = fresh({
      extensions: {
        Bad: () => {
          throw new Error('x');
        },
      },
      onReady,
    });
    boot(bus);
    expect(onReady).toHaveBeenCalled();
    expect(err).toHaveBeenCalled();
    err.mockRestore();
  });

  it('App.setTheme / App.setLanguage update main and publish', async () => {
    const bus = fresh({ main: {} });
    boot(bus);
    const seen: any[] = [];
    bus.subscribe('App.themeChanged', (e) => seen.push(e.data));
    bus.subscribe('App.languageChanged', (e) => seen.push(e.data));
    await bus.command('App.setTheme', { theme: 'dark' });
    await bus.command('App.setLanguage', { lang: 'de' });
    await expect(bus.command('App.setTheme', {})).rejects.toBe('No theme provided.');
    expect(seen).toEqual([{ theme: 'dark' }, { lang: 'de' }]);
    expect(mainConfig()).toMatchObject({ theme: 'dark', lang: 'de' });
    expect(await bus.command('App.getConfig')).toBe(widgetsConfig());
  });

  it('mainConfig fills defaults; timeFormat is 12 or 24', () => {
    fresh({ main: { timeFormat: '24' } });
    expect(mainConfig()).toMatchObject({ debug: false, theme: 'light', lang: 'en', timeFormat: 24, cookieOptions: {} });
    fresh(null);
    expect(mainConfig().timeFormat).toBe(12);
  });
});

describe('seed 000 page code runs unchanged', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());
  beforeEach(() => clearCookies());

  // The snippet of seed 000, verbatim from its first `CXBus.loadPlugin` line to its end, as the demo page keeps it.
  const seed = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../demo/seed-000.js'), 'utf8');
  const code = seed.slice(seed.indexOf("CXBus.loadPlugin('widgets-core');"), seed.lastIndexOf('});') + 3);

  async function run(isAsync: boolean) {
    const webchat = v3Config(srv.url, isAsync ? { transport: { async: { enabled: true } } } : {});
    const bus = fresh({ webchat });
    registerWebChatService(bus);
    // a stand-in for the WebChat UI: records injectMessage, forwards endChat like the real one
    const ui = bus.registerPlugin('WebChat')!;
    const injected: any[] = [];
    ui.registerCommand('injectMessage', (e) => {
      injected.push(e.data);
      e.deferred.resolve();
    });
    ui.registerCommand('endChat', (e) => void ui.command('WebChatService.endChat').done(e.deferred.resolve).fail(e.deferred.reject));
    ui.ready();
    boot(bus);
    bus.loaded.push('widgets-core');
    new Function(code)();
    const r = await bus.command('WebChatService.startChat', { nickname: 'Seed' });
    const agent = await new TestAgent(srv.url).login();
    const interaction = await agent.accept(r.data.sessionId);
    await agent.call('POST', `/interactions/${interaction.id}/done`, {});
    return { bus, injected };
  }

  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
    return pred();
  };

  it('synchronous chat: Finalizing ends the chat', async () => {
    const { bus } = await run(false);
    expect(await until(() => bus.data('WebChatService.sessionActive') === false)).toBe(true);
  });

  it('asynchronous chat: Finalizing injects the notice', async () => {
    const { bus, injected } = await run(true);
    expect(await until(() => injected.length > 0)).toBe(true);
    expect(injected[0]).toEqual({
      type: 'text',
      text: 'Thank you for your query. Please do not respond to this automated message if you do not have additional questions.',
      bubble: { time: false },
    });
    expect(bus.data('WebChatService.sessionActive')).toBe(true);
    await bus.command('WebChatService.endChat');
  });
});
