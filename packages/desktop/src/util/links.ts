/** A run of message text: plain text, or a link that is safe to open. */
export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[),.;:!?\]]+$/;

/** Returns the href when `raw` is an absolute http(s) URL, else null (javascript:, data:, relative…). */
export function safeHref(raw: string | undefined | null): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Splits text into plain runs and http(s) links. The result is rendered as text nodes and <a> only. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let raw = m[0];
    const trail = TRAILING.exec(raw);
    if (trail) raw = raw.slice(0, raw.length - trail[0].length);
    const start = m.index ?? 0;
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    out.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** File urls in messages are relative to the consumer API prefix without `/sessions`. */
export function fileHref(url: string, consumerBase = '/nexus/v3/chat'): string | null {
  if (/^https?:\/\//i.test(url)) return safeHref(url);
  if (!url.startsWith('/')) return null;
  return consumerBase + url;
}
