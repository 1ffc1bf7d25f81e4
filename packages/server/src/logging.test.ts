import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { chooseLogFormat } from './logging.js';

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
