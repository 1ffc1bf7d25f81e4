import { add, h, link, linkify, safeUrl } from '../ui/dom.js';

/**
 * The markdown add-on (`webchat.markdown`): a safe subset rendered as DOM nodes, never as HTML.
 * **bold**, *italic* or _italic_, `code`, ``` code blocks ```, [text](http(s) URL), bare URLs,
 * and lists ("- ", "* ", "1. "). Anything else, HTML included, stays text.
 */
const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\s][^*\n]*\*|_[^_\s][^_\n]*_)|(\[[^\]\n]+\]\([^)\s]+\))/g;

function inline(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const token = m[0];
    add(out, linkify(text.slice(last, m.index)));
    last = m.index! + token.length;
    if (m[1]) out.appendChild(h('code', null, token.slice(1, -1)));
    else if (m[2]) out.appendChild(h('strong', null, inline(token.slice(2, -2))));
    else if (m[3]) out.appendChild(h('em', null, inline(token.slice(1, -1))));
    else {
      const [, label = '', url = ''] = /^\[([^\]]+)\]\(([^)]+)\)$/.exec(token) ?? [];
      const href = /^https?:/i.test(url) ? safeUrl(url) : null;
      out.appendChild(href ? link(href, label) : document.createTextNode(token));
    }
  }
  add(out, linkify(text.slice(last)));
  return out;
}

export function render(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  const lines = text.split('\n');
  let list: HTMLElement | null = null;
  let paragraph: string[] = [];
  const flush = () => {
    if (!paragraph.length) return;
    const p = h('p');
    paragraph.forEach((line, i) => add(p, i ? h('br') : null, inline(line)));
    out.appendChild(p);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^```/.test(line)) {
      flush();
      list = null;
      const code: string[] = [];
      while (++i < lines.length && !/^```/.test(lines[i]!)) code.push(lines[i]!);
      out.appendChild(h('pre', null, h('code', null, code.join('\n'))));
      continue;
    }
    const item = /^\s*(?:([-*])|(\d+)\.)\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const tag = item[1] ? 'ul' : 'ol';
      if (!list || list.tagName.toLowerCase() !== tag) out.appendChild((list = h(tag)));
      list.appendChild(h('li', null, inline(item[3]!)));
      continue;
    }
    list = null;
    if (line.trim()) paragraph.push(line);
    else flush();
  }
  flush();
  return out;
}

((globalThis as any).ParleyAddons ??= {}).markdown = { render };
