import { h, link, safeUrl } from './dom.js';

/**
 * Rich messages (docs/rich-messages.md): the quick replies, buttons, card, carousel or list picker a
 * bot, flow or agent sent as `data.rich` on a Text, under that message's bubble. Built with DOM
 * APIs only (every text through text nodes, links and images http(s) only), every choice a real
 * button (keyboard and screen readers), and a tapped choice goes out as the customer's own text.
 * The server checked the content; this reads it defensively anyway (what a transport hands over is
 * data from the network), dropping what is not the expected shape and keeping to the same bounds.
 */

type Any = Record<string, any>;

export interface RichDeps {
  /** Sends the customer's message (WebChatService.sendMessage); rejects when it could not be sent. */
  send(text: string): Promise<unknown>;
  /** Whether the chat takes messages now. */
  active(): boolean;
  /** Accessible names: the quick replies group, the carousel and the list picker. */
  labels: { choices: string; carousel: string };
}

const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.trim().slice(0, max) : '');
const list = (v: unknown, max: number): Any[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object').slice(0, max) : []);
/** Only absolute http(s) URLs: a relative one would resolve against the customer's page. */
const webUrl = (v: unknown): string | null => (typeof v === 'string' && /^https?:\/\//i.test(v) ? safeUrl(v) : null);

/** The rich content of a message as a transport handed it over (`data.rich` on every transport), or null. */
export function richOf(...messages: Any[]): Any | null {
  for (const m of messages) {
    const rich = m?.data?.rich;
    if (rich && typeof rich === 'object' && typeof rich.kind === 'string') return rich;
  }
  return null;
}

/** The element for `rich`, or null when there is nothing to show. */
export function renderRich(rich: Any, deps: RichDeps): HTMLElement | null {
  const box = h('div', { class: 'pz-rich' });
  /** The choices that answer the question: once one is sent, all of them are used up (quick replies, list picker). */
  const answers: HTMLButtonElement[] = [];
  const answered = () => box.classList.contains('pz-answered');

  const choice = (label: string, value: string, cls: string, once: boolean, ...extra: Node[]): HTMLButtonElement => {
    const b = h('button', { type: 'button', class: cls, 'data-once': once }, ...(extra.length ? extra : [label]));
    if (once) answers.push(b);
    let busy = false; // aria-disabled rather than disabled: the button keeps focus
    b.onclick = () => {
      if (busy || !deps.active() || (once && answered())) return;
      busy = true;
      if (once) use(b);
      deps
        .send(value)
        .catch(() => once && reopen())
        .finally(() => (busy = false));
    };
    return b;
  };
  const use = (picked: HTMLButtonElement) => {
    settle(box);
    picked.setAttribute('aria-pressed', 'true');
  };
  const reopen = () => {
    box.classList.remove('pz-answered');
    for (const b of answers) (b.removeAttribute('aria-disabled'), b.removeAttribute('aria-pressed'));
  };
  const actions = (items: Any[]): HTMLElement | null => {
    const els: HTMLElement[] = [];
    for (const a of items) {
      const text = str(a.text, 100);
      if (!text) continue;
      if (a.type === 'link') {
        const href = webUrl(a.url);
        if (!href) continue;
        const anchor = link(href, text);
        anchor.className = 'pz-act';
        els.push(anchor);
      } else if (a.type === 'reply') els.push(choice(text, str(a.value, 500) || text, 'pz-act', false));
    }
    return els.length ? h('div', { class: 'pz-acts' }, ...els) : null;
  };
  const card = (c: Any): HTMLElement | null => {
    const title = str(c.title, 200);
    if (!title) return null;
    const img = webUrl(c.image);
    const description = str(c.description, 1000);
    return h(
      'div',
      { class: 'pz-card' },
      img && h('img', { src: img, alt: '', class: 'pz-card-img', loading: 'lazy' }),
      h('p', { class: 'pz-card-title' }, title),
      description && h('p', { class: 'pz-card-desc' }, description),
      actions(list(c.actions, 3)),
    );
  };

  switch (rich.kind) {
    case 'quickReplies': {
      const group = h('div', { class: 'pz-qr', role: 'group', 'aria-label': deps.labels.choices });
      for (const r of list(rich.replies, 13)) {
        const text = str(r.text, 100);
        if (text) group.appendChild(choice(text, str(r.value, 500) || text, 'pz-chip', true));
      }
      if (!group.childNodes.length) return null;
      box.appendChild(group);
      break;
    }
    case 'buttons': {
      const row = actions(list(rich.buttons, 5));
      if (!row) return null;
      box.appendChild(row);
      break;
    }
    case 'card': {
      const el = rich.card && typeof rich.card === 'object' ? card(rich.card) : null;
      if (!el) return null;
      box.appendChild(el);
      break;
    }
    case 'carousel': {
      const cards = list(rich.cards, 10)
        .map(card)
        .filter((c): c is HTMLElement => !!c);
      if (!cards.length) return null;
      // A scrollable row: focusable so the keyboard can scroll it; each card a list item.
      const row = h('div', { class: 'pz-carousel', role: 'list', tabindex: 0, 'aria-label': deps.labels.carousel });
      for (const c of cards) {
        c.setAttribute('role', 'listitem');
        row.appendChild(c);
      }
      box.appendChild(row);
      break;
    }
    case 'listPicker': {
      const title = str(rich.title, 200);
      const ul = h('ul', { class: 'pz-pick', 'aria-label': title || deps.labels.choices });
      for (const it of list(rich.items, 20)) {
        const t = str(it.title, 200);
        if (!t) continue;
        const img = webUrl(it.image);
        const desc = str(it.description, 1000);
        const kids: Node[] = [];
        if (img) kids.push(h('img', { src: img, alt: '', class: 'pz-pick-img', loading: 'lazy' }));
        kids.push(h('span', null, h('span', { class: 'pz-pick-title' }, t), desc ? h('span', { class: 'pz-pick-desc' }, desc) : null));
        ul.appendChild(h('li', null, choice(t, str(it.value, 500) || t, 'pz-pick-btn', true, ...kids)));
      }
      if (!ul.childNodes.length) return null;
      if (title) box.appendChild(h('p', { class: 'pz-card-title' }, title));
      box.appendChild(ul);
      break;
    }
    default:
      return null;
  }
  return box;
}

/** Marks the question(s) of rich messages in `root` answered: the customer wrote or tapped since (their choices no longer send). */
export function settleRich(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>('.pz-rich:not(.pz-answered)').forEach((box) => {
    if (box.querySelector('[data-once]')) settle(box);
  });
}

function settle(box: HTMLElement): void {
  box.classList.add('pz-answered');
  box.querySelectorAll('[data-once]').forEach((b) => b.setAttribute('aria-disabled', 'true'));
}

/** What a screen reader is told of a rich element when it arrives: its choices and links, in order. */
export function richSummary(el: HTMLElement): string {
  return [...el.querySelectorAll('button, a')].map((b) => b.textContent || '').join(', ');
}
