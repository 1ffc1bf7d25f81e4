import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { chooseLogFormat, LazyRequestLogger } from './logging.js';

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says which', () => {
    const auto = loadConfig({}).LOG_FORMAT;
    expect(auto).toBe('auto');
    expect(chooseLogFormat(auto, true)).toBe('pretty');
    expect(chooseLogFormat(auto, false)).toBe('json');
    for (const tty of [true, false]) {
      expect(chooseLogFormat(loadConfig({ LOG_FORMAT: 'json' }).LOG_FORMAT, tty)).toBe('json');
      expect(chooseLogFormat(loadConfig({}, ['--log-format', 'pretty']).LOG_FORMAT, tty)).toBe('pretty');
    }
  });

  it('refuses an unknown format', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
  });
});

describe("LazyRequestLogger (a request's logger)", () => {
  function logged(level: string) {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    const parent = pino({ level }, stream);
    let children = 0;
    const child = parent.child;
    parent.child = function (this: typeof parent, ...args: Parameters<typeof child>) {
      children++;
      return child.apply(this, args);
    } as typeof child;
    return { lines, parent, made: () => children };
  }

  it('makes the child only for a line at an enabled level, with the request id bound', () => {
    const { lines, parent, made } = logged('info');
    const log = new LazyRequestLogger(parent, { reqId: 'req-7' }, {});
    log.debug({ a: 1 }, 'quiet');
    log.trace('quieter');
    expect(made()).toBe(0);
    expect(log.level).toBe('info');
    log.warn({ b: 2 }, 'heard %s', 'this');
    log.info('and this');
    expect(made()).toBe(1);
    expect(lines.map((l) => [l.level, l.msg, l.reqId, l.b])).toEqual([
      [40, 'heard this', 'req-7', 2],
      [30, 'and this', 'req-7', undefined],
    ]);
  });

  it("follows a route's own level and a level set later; its children keep the request id", () => {
    const { lines, parent } = logged('warn');
    const route = new LazyRequestLogger(parent, { reqId: 'r1' }, { level: 'debug' });
    route.debug('route debug');
    const later = new LazyRequestLogger(parent, { reqId: 'r2' }, {});
    later.info('dropped');
    later.level = 'trace';
    later.trace('now written');
    later.child({ part: 'x' }).error('from a child');
    expect(lines.map((l) => [l.msg, l.reqId, l.part])).toEqual([
      ['route debug', 'r1', undefined],
      ['now written', 'r2', undefined],
      ['from a child', 'r2', 'x'],
    ]);
  });
});
