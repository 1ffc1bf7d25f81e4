/** Small DOM helpers. Nothing here ever assigns untrusted text to innerHTML. */

type Kid = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...kids: Kid[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs)
    for (const k in attrs) {
      const v = attrs[k];
      if (v === false || v == null) continue;
      el.setAttribute(k, v === true ? '' : String(v));
    }
  add(el, ...kids);
  return el;
}

export function add(el: Node, ...kids: Kid[]): void {
  for (const k of kids) if (k) el.appendChild(typeof k === 'string' ? document.createTextNode(k) : k);
}

const SVG = 'http://www.w3.org/2000/svg';
/** A decorative 24x24 icon from one path. */
export function icon(d: string): SVGSVGElement {
  const s = document.createElementNS(SVG, 'svg');
  s.setAttribute('viewBox', '0 0 24 24');
  s.setAttribute('aria-hidden', 'true');
  s.setAttribute('focusable', 'false');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', d);
  s.appendChild(p);
  return s;
}

/** Returns the URL if it is an absolute http(s) URL (or a same-site path), else null. */
export function safeUrl(u: unknown, base?: string): string | null {
  if (typeof u !== 'string' || !u) return null;
  try {
    const url = new URL(u, base || location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function link(href: string, text: string): HTMLAnchorElement {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text);
}

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;

/** Text as text nodes, with http(s) URLs as safe links. */
export function linkify(text: string): DocumentFragment {
  const f = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let u = m[0];
    const trail = /[.,;:!?)\]}'"]+$/.exec(u);
    if (trail) u = u.slice(0, -trail[0].length);
    const at = m.index!;
    const href = safeUrl(u);
    if (!href || !/^https?:/i.test(u)) continue;
    add(f, text.slice(last, at), link(href, u));
    last = at + u.length;
  }
  add(f, text.slice(last));
  return f;
}

const ALLOWED = /^(a|b|i|em|strong|u|s|br|p|div|span|ul|ol|li|code|pre|blockquote|h[3-6]|small|img)$/;

/**
 * A safe copy of an HTML string: parsed inert in a <template>, then rebuilt from scratch with
 * only formatting elements, http(s) links and images, and no other attributes (so no event
 * handlers, styles or scripts survive).
 */
export function sanitize(html: string): DocumentFragment {
  const t = document.createElement('template');
  t.innerHTML = html;
  const out = document.createDocumentFragment();
  const copy = (from: Node, to: Node): void => {
    from.childNodes.forEach((n) => {
      if (n.nodeType === 3) return add(to, n.textContent);
      if (n.nodeType !== 1) return;
      const src = n as Element;
      const tag = src.tagName.toLowerCase();
      if (!ALLOWED.test(tag)) {
        if (!/^(script|style|template|iframe|object|embed|noscript|svg|math)$/.test(tag)) copy(src, to);
        return;
      }
      let el: HTMLElement;
      if (tag === 'a') {
        const href = safeUrl(src.getAttribute('href'));
        el = href ? link(href, '') : h('span');
      } else if (tag === 'img') {
        const s = safeUrl(src.getAttribute('src'));
        if (!s) return;
        el = h('img', { src: s, alt: src.getAttribute('alt') ?? '' });
      } else el = document.createElement(tag);
      const title = src.getAttribute('title');
      if (title) el.title = title;
      copy(src, el);
      to.appendChild(el);
    });
  };
  copy(t.content, out);
  return out;
}

export function formatTime(d: Date, format: number): string {
  const m = String(d.getMinutes()).padStart(2, '0');
  const hr = d.getHours();
  return format === 12 ? `${hr % 12 || 12}:${m} ${hr < 12 ? 'AM' : 'PM'}` : `${String(hr).padStart(2, '0')}:${m}`;
}
