// @vitest-environment happy-dom
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CANCELLED, LOAD_FAILED, createBus, getBus, type BusEvent } from './cxbus.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('CXBus plugins', () => {
  it('registerPlugin returns an interface, and false when the name is taken', () => {
    const bus = createBus();
    const p = bus.registerPlugin('Mine');
    expect(p && typeof p.publish).toBe('function');
    expect(bus.registerPlugin('Mine')).toBe(false);
    expect(bus.registerPlugin('CXBus')).toBe(false);
    expect(bus.registerPlugin('')).toBe(false);
  });

  it('getBus installs one global CXBus and reuses it', () => {
    const a = getBus();
    expect((globalThis as any).CXBus).toBe(a);
    expect(getBus()).toBe(a);
  });
});

describe('CXBus events', () => {
  it('delivers {time, publisher, event, data} to subscribers, also to ones registered before the publisher', () => {
    const bus = createBus();
    const seen: BusEvent[] = [];
    bus.subscribe('Later.thing', (e) => seen.push(e));
    const p = bus.registerPlugin('Later')!;
    p.publish('thing', { a: 1 });
    p.publish('other', 1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ publisher: 'Later', event: 'Later.thing', data: { a: 1 } });
    expect(typeof seen[0]!.time).toBe('number');
  });

  it('republish keeps the event for late subscribers; publish does not', () => {
    const bus = createBus();
    const p = bus.registerPlugin('Svc')!;
    p.republish('ready', 'R');
    p.publish('plain', 'P');
    const seen: string[] = [];
    bus.subscribe('Svc.ready', (e) => seen.push(e.data));
    bus.subscribe('Svc.plain', (e) => seen.push(e.data));
    expect(seen).toEqual(['R']);
  });

  it('unsubscribe by event name (own subscriptions only) or by id', () => {
    const bus = createBus();
    const p = bus.registerPlugin('Pub')!;
    const q = bus.registerPlugin('Other')!;
    const seen: string[] = [];
    q.subscribe('Pub.x', () => seen.push('q'));
    const id = bus.subscribe('Pub.x', () => seen.push('bus')) as string;
    bus.unsubscribe('Pub.x');
    p.publish('x');
    expect(seen).toEqual(['q']);
    bus.subscribe('Pub.x', () => seen.push('bus2'));
    q.unsubscribe('Pub.x');
    p.publish('x');
    expect(seen).toEqual(['q', 'bus2']);
    const id2 = bus.subscribe('Pub.x', () => seen.push('bus3')) as string;
    bus.unsubscribe(id2);
    bus.unsubscribe(id);
    p.publish('x');
    expect(seen).toEqual(['q', 'bus2', 'bus2']);
  });

  it('a throwing subscriber does not stop the others', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bus = createBus();
    const p = bus.registerPlugin('P')!;
    const seen: number[] = [];
    bus.subscribe('P.e', () => {
      throw new Error('x');
    });
    bus.subscribe('P.e', () => seen.push(1));
    p.publish('e');
    expect(seen).toEqual([1]);
    err.mockRestore();
  });

  it('async: true delivers on a later tick', async () => {
    const bus = createBus();
    bus.configure({ async: true });
    const p = bus.registerPlugin('A')!;
    const seen: number[] = [];
    bus.subscribe('A.e', () => seen.push(1));
    p.publish('e');
    expect(seen).toEqual([]);
    await tick();
    expect(seen).toEqual([1]);
  });
});

describe('CXBus commands', () => {
  it('calls the handler with {time, commander, command, deferred, data} and resolves', async () => {
    const bus = createBus();
    const svc = bus.registerPlugin('Svc')!;
    let got: any;
    svc.registerCommand('echo', (e) => {
      got = e;
      e.deferred.resolve({ echoed: e.data });
    });
    svc.ready();
    const caller = bus.registerPlugin('Caller')!;
    const d = caller.command('Svc.echo', { x: 1 });
    expect(got).toMatchObject({ commander: 'Caller', command: 'Svc.echo', data: { x: 1 } });
    expect(typeof got.time).toBe('number');
    expect(d.state()).toBe('resolved');
    expect(await d).toEqual({ echoed: { x: 1 } });
    const viaGlobal = await bus.command('Svc.echo');
    expect(viaGlobal).toEqual({ echoed: {} });
    expect(got.commander).toBe('CXBus');
  });

  it('passes rejections through done/fail/always and await', async () => {
    const bus = createBus();
    const svc = bus.registerPlugin('Svc')!;
    svc.registerCommand('no', (e) => e.deferred.reject('nope'));
    svc.registerCommand('throws', () => {
      throw new Error('bad');
    });
    svc.ready();
    const calls: string[] = [];
    bus
      .command('Svc.no')
      .done(() => calls.push('done'))
      .fail((r: string) => calls.push('fail ' + r))
      .always(() => calls.push('always'));
    expect(calls).toEqual(['fail nope', 'always']);
    await expect(bus.command('Svc.no')).rejects.toBe('nope');
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(bus.command('Svc.throws')).rejects.toBe('bad');
    err.mockRestore();
    await expect(bus.command('Svc.missing')).rejects.toBe("Command 'Svc.missing' does not exist.");
  });

  it('before hooks run in order and may change the options', async () => {
    const bus = createBus();
    const svc = bus.registerPlugin('WebChat')!;
    svc.registerCommand('open', (e) => e.deferred.resolve(e.data));
    svc.ready();
    bus.before('WebChat.open', (o) => ({ ...o, order: [...(o.order ?? []), 1] }));
    const ext = bus.registerPlugin('Ext')!;
    ext.before('WebChat.open', (o) => ({ ...o, order: [...o.order, 2], added: true }));
    expect(await bus.command('WebChat.open', { form: false })).toEqual({ form: false, order: [1, 2], added: true });
  });

  it('a before hook returning a non-object cancels with the exact text', async () => {
    for (const value of [false, undefined, null, 'x', 0]) {
      const bus = createBus();
      const svc = bus.registerPlugin('WebChat')!;
      let ran = false;
      svc.registerCommand('open', (e) => {
        ran = true;
        e.deferred.resolve();
      });
      svc.ready();
      bus.before('WebChat.open', () => value);
      await expect(bus.command('WebChat.open', {})).rejects.toBe("Command was cancelled by a 'before' function.");
      expect(ran).toBe(false);
    }
    expect(CANCELLED).toBe("Command was cancelled by a 'before' function.");
  });

  it('queues commands to a registered plugin until it is ready', async () => {
    const bus = createBus();
    const svc = bus.registerPlugin('Slow')!;
    svc.registerCommand('go', (e) => e.deferred.resolve(e.data.n));
    const a = bus.command('Slow.go', { n: 1 });
    const b = bus.command('Slow.go', { n: 2 });
    expect(a.state()).toBe('pending');
    await tick();
    expect(b.state()).toBe('pending');
    svc.ready();
    expect([await a, await b]).toEqual([1, 2]);
  });

  it('a command to an unknown plugin without pluginsPath fails with the exact load text', async () => {
    const bus = createBus();
    await expect(bus.command('Nobody.here')).rejects.toBe('Could not load plugin file in given location. Check your plugins path option.');
    expect(LOAD_FAILED).toBe('Could not load plugin file in given location. Check your plugins path option.');
  });
});

describe('CXBus data', () => {
  it('stores, publishes Plugin.data.key, and reads another plugin data', () => {
    const bus = createBus();
    const p = bus.registerPlugin('WebChat')!;
    const seen: BusEvent[] = [];
    bus.subscribe('WebChat.data.open', (e) => seen.push(e));
    expect(p.data('open', true)).toBe(true);
    expect(p.data('open')).toBe(true);
    expect(seen[0]).toMatchObject({ event: 'WebChat.data.open', data: true });
    expect(bus.data('WebChat.open')).toBe(true);
    expect(bus.data('WebChat.missing')).toBeUndefined();
    expect(bus.data('Nobody.open')).toBeUndefined();
    bus.data('mine', 3);
    expect(bus.data('mine')).toBe(3);
    expect(p.data('CXBus.mine')).toBe(3);
  });
});

describe('CXBus loading', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // happy-dom runs no page scripts unless told to; the test page is our own.
    (window as any).happyDOM.settings.enableJavaScriptEvaluation = true;
    server = createServer((req, res) => {
      if (req.url === '/plugins/dyn-plugin.min.js') {
        res.setHeader('content-type', 'text/javascript');
        res.end("var p = window.CXBus.registerPlugin('DynPlugin'); p.registerCommand('hi', function (e) { e.deferred.resolve('hello ' + e.data.who); }); p.ready();");
      } else {
        res.statusCode = 404;
        res.end('missing');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('loads an unknown plugin from pluginsPath (kebab file name) and runs the command', async () => {
    const bus = getBus();
    (window as any).CXBus = bus;
    bus.configure({ pluginsPath: base + '/plugins' });
    expect(await bus.command('DynPlugin.hi', { who: 'page' })).toBe('hello page');
    expect(bus.loaded).toContain('dyn-plugin');
    await expect(bus.loadPlugin('dyn-plugin')).resolves.toBeUndefined();
  });

  it('rejects with the exact text when the file is not there', async () => {
    const bus = getBus();
    bus.configure({ pluginsPath: base + '/plugins/' });
    await expect(bus.command('NotThere.x')).rejects.toBe(LOAD_FAILED);
    await expect(bus.loadFile(base + '/nope.js')).rejects.toBe(LOAD_FAILED);
  });

  it('pluginMap and pluginFilenameFormat choose the file', async () => {
    const bus = createBus();
    bus.configure({ pluginsPath: base + '/plugins/', pluginMap: { Mapped: 'mapped-file' } });
    const spy = vi.spyOn(document.head, 'appendChild');
    const loads = [bus.loadPlugin('Mapped')];
    bus.configure({ pluginFilenameFormat: 'lowercase' });
    loads.push(bus.loadPlugin('LowerCase'));
    bus.configure({ pluginFilenameFormat: (n) => 'x-' + n });
    loads.push(bus.loadPlugin('Fn'));
    await Promise.allSettled(loads);
    const srcs = spy.mock.calls.map(([s]) => (s as HTMLScriptElement).getAttribute('src'));
    expect(srcs).toEqual([`${base}/plugins/mapped-file.min.js`, `${base}/plugins/lowercase.min.js`, `${base}/plugins/x-Fn.min.js`]);
    spy.mockRestore();
  });
});
