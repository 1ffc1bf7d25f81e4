// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { render } from './markdown.js';

const html = (text: string) => {
  const d = document.createElement('div');
  d.appendChild(render(text));
  return d;
};

describe('markdown add-on', () => {
  it('renders the safe subset: bold, italic, code, code blocks, links, lists', () => {
    const d = html('**bold** and *it* or _it2_ with `x < y`\n- one\n- [two](https://example.com/2)\n1. first\n```\n<b>raw</b>\n```');
    expect(d.querySelector('strong')!.textContent).toBe('bold');
    expect([...d.querySelectorAll('em')].map((e) => e.textContent)).toEqual(['it', 'it2']);
    expect(d.querySelector('p code')!.textContent).toBe('x < y');
    expect(d.querySelectorAll('ul li')).toHaveLength(2);
    expect(d.querySelectorAll('ol li')).toHaveLength(1);
    const a = d.querySelector('a')!;
    expect([a.textContent, a.getAttribute('href'), a.getAttribute('rel')]).toEqual(['two', 'https://example.com/2', 'noopener noreferrer']);
    expect(d.querySelector('pre code')!.textContent).toBe('<b>raw</b>');
    expect(d.querySelector('b')).toBeNull();
  });

  it('never makes HTML: tags, handlers and javascript: links stay text', () => {
    const d = html('<img src=x onerror=alert(1)> **<b onclick=alert(2)>x</b>** [evil](javascript:alert(3)) [data](data:text/html,hi)');
    expect(d.querySelector('img, b, [onclick], [onerror]')).toBeNull();
    expect(d.querySelector('a')).toBeNull();
    expect(d.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(d.textContent).toContain('[evil](javascript:alert(3))');
  });
});
