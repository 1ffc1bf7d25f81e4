// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { formatTime, linkify, sanitize } from './dom.js';
import { fill, strings } from './i18n.js';

const html = (f: DocumentFragment) => {
  const d = document.createElement('div');
  d.appendChild(f);
  return d;
};

describe('linkify', () => {
  it('keeps text as text and links only http(s) URLs, safely', () => {
    const d = html(linkify('<img src=x onerror=alert(1)> see https://example.com/a?b=1. or javascript:alert(1) ftp://x.y'));
    expect(d.querySelector('img')).toBeNull();
    const links = d.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://example.com/a?b=1');
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[0]!.getAttribute('target')).toBe('_blank');
    expect(d.textContent).toBe('<img src=x onerror=alert(1)> see https://example.com/a?b=1. or javascript:alert(1) ftp://x.y');
  });
});

describe('sanitize', () => {
  it('keeps formatting and http(s) links, drops scripts, handlers, styles and other URLs', () => {
    const d = html(
      sanitize(
        '<b onclick="x()">bold</b><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">js</a><a href="https://ok.example/">ok</a><iframe src="https://e.x"></iframe><p style="color:red">p</p>',
      ),
    );
    expect(d.querySelector('script,iframe,[onclick],[onerror],[style]')).toBeNull();
    expect(d.querySelector('b')!.textContent).toBe('bold');
    const hrefs = [...d.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual(['https://ok.example/']);
    expect(d.textContent).not.toContain('alert');
  });
});

describe('formatTime', () => {
  it('formats 12 and 24 hour clocks', () => {
    const d = new Date(2024, 0, 1, 14, 5);
    expect(formatTime(d, 24)).toBe('14:05');
    expect(formatTime(d, 12)).toBe('2:05 PM');
    expect(formatTime(new Date(2024, 0, 1, 0, 7), 12)).toBe('12:07 AM');
  });
});

describe('i18n', () => {
  it('picks the language, falls back to English and applies main.i18n overrides', () => {
    expect(strings('fr', undefined).ChatFormSubmit).toBe('Démarrer le chat');
    expect(strings('de-CH', undefined).ChatInputSend).toBe('Senden');
    expect(strings('xx', undefined).ChatTitle).toBe('Live Chat');
    expect(strings('en', { en: { webchat: { ChatTitle: 'Help desk' } } }).ChatTitle).toBe('Help desk');
    expect(fill('<%Agent%> is typing', { Agent: 'Ann' })).toBe('Ann is typing');
  });
});
