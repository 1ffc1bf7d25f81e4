import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findNul, hasControlChars, isWebUrl, stripControlChars } from './safe-input.js';

describe('safe input checks', () => {
  it('findNul finds NUL in any string, key or value, at any depth, and nowhere else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(findNul(v) !== null).toBe(JSON.stringify(v).includes('\\u0000'));
      }),
    );
    expect(findNul({ data: { nickname: 'a\u0000b', subject: 'x' } })).toBe('data.nickname');
    expect(findNul({ data: { list: ['ok', 'n\u0000'] } })).toBe('data.list.1');
    expect(findNul({ data: { ['k\u0000']: 1 } })).toBe('data.(a key)');
    expect(findNul('\u0000')).toBe('value');
    expect(findNul({ a: 'ok', b: [1, null, { c: true }] })).toBeNull();
  });

  it('stripControlChars leaves a string without control characters, and the rest in order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = stripControlChars(s);
        expect(hasControlChars(out)).toBe(false);
        expect(out).toBe([...s].filter((ch) => !hasControlChars(ch)).join(''));
      }),
    );
  });

  it('isWebUrl takes absolute http(s) URLs only', () => {
    for (const ok of ['https://shop.example/a?b=1', 'http://localhost:8080/']) expect(isWebUrl(ok)).toBe(true);
    for (const bad of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      '/relative',
      'https://x.example/\u0000',
      'https://a\tb.example/',
      42,
      undefined,
    ]) {
      expect(isWebUrl(bad)).toBe(false);
    }
  });
});
