import { describe, expect, it } from 'vitest';
import { fileHref, linkify, safeHref } from './links.js';

describe('links', () => {
  it('only http and https are links', () => {
    expect(safeHref('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<script>alert(1)</script>')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
    expect(safeHref(' JAVASCRIPT:alert(1)')).toBeNull();
  });

  it('splits text into text and links, leaving markup as text', () => {
    const segs = linkify('see https://example.com/x. and <img src=x onerror=alert(1)> javascript:alert(1)');
    expect(segs).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/x', href: 'https://example.com/x' },
      { kind: 'text', text: '. and <img src=x onerror=alert(1)> javascript:alert(1)' },
    ]);
    expect(linkify('')).toEqual([]);
    expect(linkify('(http://a.test/b)')).toEqual([
      { kind: 'text', text: '(' },
      { kind: 'link', text: 'http://a.test/b', href: 'http://a.test/b' },
      { kind: 'text', text: ')' },
    ]);
  });

  it('file urls are relative to the consumer API', () => {
    expect(fileHref('/sessions/s/images/f?sig=1')).toBe('/nexus/v3/chat/sessions/s/images/f?sig=1');
    expect(fileHref('https://cdn.test/f')).toBe('https://cdn.test/f');
    expect(fileHref('javascript:alert(1)')).toBeNull();
  });
});
