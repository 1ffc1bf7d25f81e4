import { formatTime, h, link, linkify, safeUrl } from '../dom.js';
import { fill } from '../i18n.js';
import { settle, type Options, type UiContext } from '../context.js';
import type { UiMessage } from '../types.js';
import type { Announcer } from './announcer.js';
import { renderRich, richOf, richSummary, settleRich } from '../rich-message.js';

const STAFF = /^(Agent|Supervisor|Bot|External|Workflow)$/;
const BOT = /^(Bot|External|Workflow)$/;

export interface BubbleOptions {
  side: 'agent' | 'me' | 'none';
  name?: string | false;
  timestamp?: unknown;
  time?: boolean;
  content: Node;
  fill?: string;
  radius?: string;
  avatar?: Node | null;
}

/**
 * The transcript: message bubbles and system lines, the agent-typing line, and older pages
 * (fetchHistory) when scrolled to the top. Every text from the chat is rendered as text.
 */
export interface TranscriptView {
  element: HTMLDivElement;
  typingLine: HTMLDivElement;
  /** Adds WebChatService.messageReceived's messages (skipping those already shown). */
  addMessages(data: Options): void;
  bubble(options: BubbleOptions): HTMLElement;
  systemLine(text: string, timestamp?: unknown): HTMLElement;
  append(el: HTMLElement): HTMLElement;
  showTyping(name?: string): void;
  hideTyping(): void;
  clear(): void;
  scrollToEnd(): void;
  /** Shows the customer's text at once, as "sending"; the same text coming back from the server takes its place. */
  addOwn(text: string): OwnMessage;
}

/** A message the customer sent from this page, with its delivery state. */
export interface OwnMessage {
  text: string;
  element: HTMLElement;
  setState(state: 'sending' | 'sent' | 'failed', retry?: () => void): void;
}

export interface TranscriptDeps {
  announcer: Announcer;
  chatActive(): boolean;
  /** A new message from an agent or a bot, live (not restored, not an older page). */
  agentMessage(name: string, fromType: string): void;
  /** The agent or bot the customer is talking to now (joined or spoke; live or restored); '' once they left. */
  agentNamed(name: string): void;
  /** How agent and bot text is shown (plain text with links, or the markdown add-on). */
  formatText(text: string): Node;
}

/** Messages of one sender within this time are grouped (the name shown once). */
const GROUP_MS = 120_000;

export function createTranscript(ctx: UiContext, deps: TranscriptDeps): TranscriptView {
  const t = ctx.text;
  const element = h('div', { class: 'pz-log', role: 'region', 'aria-label': t('AriaTranscript'), tabindex: 0 });
  const typingLine = h('div', { class: 'pz-typing', hidden: true });
  const shown = new Set<string>();
  const own: (OwnMessage & { matched?: boolean })[] = [];
  let agentName = '';
  let fetchingHistory = false;

  element.onscroll = () => {
    if (element.scrollTop > 0 || !deps.chatActive() || fetchingHistory) return;
    fetchingHistory = true;
    settle(ctx.command('WebChatService.fetchHistory')).then(
      () => (fetchingHistory = false),
      () => undefined, // not async, or nothing more: stay quiet
    );
  };

  function append(el: HTMLElement): HTMLElement {
    element.appendChild(el);
    element.scrollTop = element.scrollHeight;
    return el;
  }

  function timeElement(timestamp?: unknown): HTMLElement {
    let d = new Date(typeof timestamp === 'string' && /^\d+$/.test(timestamp) ? +timestamp : ((timestamp as string | number) ?? Date.now()));
    if (isNaN(+d)) d = new Date();
    return h('time', { class: 'pz-time', datetime: d.toISOString() }, formatTime(d, ctx.timeFormat));
  }

  function systemLine(text: string, timestamp?: unknown): HTMLElement {
    return append(h('div', { class: 'pz-sys' }, h('span', null, text), ' ', timeElement(timestamp)));
  }

  function bubble(b: BubbleOptions): HTMLElement {
    const body = h('div', { class: 'pz-b' }, b.content);
    if (b.fill) body.style.background = b.fill;
    if (b.radius) body.style.borderRadius = b.radius;
    const meta =
      b.name !== false || b.time !== false
        ? h('div', { class: 'pz-meta' }, b.name !== false ? h('span', { class: 'pz-who' }, b.name || '') : null, b.time !== false ? timeElement(b.timestamp) : null)
        : null;
    const el = append(h('div', { class: `pz-msg pz-${b.side}` }, b.avatar || null, h('div', { class: 'pz-c' }, meta, body)));
    group(el, b.side + ':' + (b.name || ''), b.timestamp);
    const rgb = b.fill && getComputedStyle(body).backgroundColor.match(/[\d.]+/g);
    // a custom fill gets black or white text, whichever reads better on it
    if (rgb) body.style.color = +rgb[0]! * 0.299 + +rgb[1]! * 0.587 + +rgb[2]! * 0.114 > 150 ? '#111' : '#fff';
    return el;
  }

  /** Consecutive messages of one sender (within GROUP_MS) show the name once. */
  function group(el: HTMLElement, who: string, timestamp: unknown): void {
    const at = +new Date(typeof timestamp === 'string' && /^\d+$/.test(timestamp) ? +timestamp : ((timestamp as string | number) ?? Date.now())) || Date.now();
    el.dataset.who = who;
    el.dataset.at = String(at);
    regroup(el);
  }

  /** Whether `el` continues the group of the message before it (again after an older page went in above). */
  function regroup(el: Element | null): void {
    if (!(el instanceof HTMLElement) || !el.dataset.who) return;
    const before = el.previousElementSibling as HTMLElement | null;
    el.classList.toggle('pz-grp', before?.dataset.who === el.dataset.who && Math.abs(+(el.dataset.at || 0) - +(before.dataset.at || 0)) < GROUP_MS);
  }

  function settleChoices(): void {
    settleRich(element);
  }

  function addOwn(text: string): OwnMessage {
    settleChoices(); // the customer answered: earlier quick replies are used up
    const status = h('span', { class: 'pz-st' });
    const element = bubble({ side: 'me', name: t('YouName'), content: linkify(text) });
    element.querySelector('.pz-meta')?.appendChild(status);
    const message = {
      text,
      element,
      setState(state: 'sending' | 'sent' | 'failed', retry?: () => void) {
        element.classList.toggle('pz-failed', state === 'failed');
        status.replaceChildren(t(state === 'sending' ? 'MessageSending' : state === 'sent' ? 'MessageSent' : 'MessageNotSent'));
        if (state === 'failed' && retry) {
          const again = h('button', { type: 'button', class: 'pz-retry' }, t('MessageRetry'));
          again.onclick = retry;
          status.append(' ', again);
        }
      },
    };
    message.setState('sending');
    own.push(message);
    return message;
  }

  function fileLink(m: UiMessage, raw: UiMessage): Node | null {
    const file = (m.content || raw.content || [])[0] || (m as Options).file || null;
    const base = String(ctx.webchat.transport?.dataURL || '').replace(/\/sessions\/?$/, '');
    const u = file?.url ?? m.url ?? raw.url;
    const href = typeof u === 'string' ? safeUrl(/^https?:/i.test(u) ? u : u.startsWith(base) ? u : base + u) : null;
    const name = String(file?.name || m.text || raw.text || 'file');
    if (!href) return document.createTextNode(name);
    const f = document.createDocumentFragment();
    if (file && /^image\/(png|jpeg|gif|webp)$/.test(file.mime || '')) f.appendChild(h('img', { src: href, alt: '', class: 'pz-thumb' }));
    f.appendChild(link(href, name));
    return f;
  }

  /** `older`: a page of older messages (fetchHistory), which says nothing about who is here now. */
  function render(m: UiMessage, raw: UiMessage, restoring: boolean, older: boolean): HTMLElement | null {
    const type = String(m.type || '');
    const fromType = String(m.from?.type || raw.from?.type || '');
    const staff = STAFF.test(fromType);
    const bot = BOT.test(fromType);
    const mine = fromType === 'Client' || fromType === 'Customer';
    const name = m.from?.name || (raw.from as Options)?.nickname || (bot ? t('BotNameDefault') : staff ? t('AgentNameDefault') : '');
    const text = typeof m.text === 'string' ? m.text : typeof raw.text === 'string' ? raw.text : '';
    // UI events (seed 004) drive the banner (uiEvent), never the transcript
    if (type === 'TypingStarted' || type === 'TypingStopped' || /^ui-event-/.test(String(m.event ?? raw.event ?? ''))) return null;
    if (type === 'ParticipantJoined' || type === 'ParticipantLeft') {
      if (!staff) return null;
      if (!older && type === 'ParticipantJoined') deps.agentNamed((agentName = name));
      else if (!older && name === agentName) deps.agentNamed('');
      return systemLine(fill(t(type === 'ParticipantJoined' ? 'AgentConnected' : 'AgentDisconnected'), { Agent: name }), m.timestamp);
    }
    const isFile = /^File/.test(type) || !!(m.content || raw.content)?.length;
    if (type === 'Message' || type === 'Text' || type === 'PushUrl' || isFile) {
      let content: Node;
      if (isFile) content = h('span', null, mine ? '' : `${t('FileSent')} `, fileLink(m, raw));
      else if (type === 'PushUrl') {
        const url = safeUrl(m.url ?? raw.url ?? text);
        content = url ? link(url, text || url) : linkify(text);
      } else {
        // the customer's own text sent from this page is already shown: it becomes that message
        const sent = mine && !restoring ? own.find((o) => !o.matched && o.text === text.trim()) : undefined;
        if (sent) {
          sent.matched = true;
          return sent.element;
        }
        content = staff ? deps.formatText(text) : linkify(text);
      }
      if (staff) {
        typingLine.hidden = true;
        agentName = name;
        if (!older) deps.agentNamed(name);
        if (!restoring) {
          deps.announcer.say(`${name} ${t('AriaSaid')}: ${text}`);
          deps.agentMessage(name, fromType);
        }
      }
      if (mine) settleRich(element);
      const el = bubble({ side: mine ? 'me' : 'agent', name: mine ? t('YouName') : name, timestamp: m.timestamp, content });
      if (bot && !mine) el.classList.add('pz-bot');
      const rich = !mine && richOf(raw, m);
      const richEl =
        rich &&
        renderRich(rich, {
          send: (message) => settle(ctx.command('WebChatService.sendMessage', { message })),
          active: deps.chatActive,
          labels: { choices: t('AriaChoices'), carousel: t('AriaCards') },
        });
      if (richEl) {
        el.lastElementChild!.appendChild(richEl);
        element.scrollTop = element.scrollHeight;
        if (!restoring) deps.announcer.say(`${t('AriaChoices')}: ${richSummary(richEl)}`);
      }
      return el;
    }
    if ((type === 'Notice' || !mine) && text && type !== 'System') {
      if (!restoring) deps.announcer.say(text); // idle alert and close, queue position…
      return systemLine(text, m.timestamp);
    }
    return null;
  }

  function addMessages(data: Options): void {
    const raws: UiMessage[] = data.originalMessages || [];
    const messages: UiMessage[] = data.messages || [];
    // older messages (fetchHistory) go above what is shown, keeping the scroll position
    const anchor = data.oldMessages ? element.firstChild : null;
    const heightBefore = element.scrollHeight;
    messages.forEach((m, i) => {
      if (!m) return;
      const key = String(m.index ?? m.id ?? '');
      if (key) {
        if (shown.has(key)) return;
        shown.add(key);
      }
      const raw = raws.find((r) => r && ((m.id && r.id === m.id) || String(r.index ?? '').replace(/-/g, '') === key.replace(/-/g, ''))) || (raws.length === messages.length ? raws[i] : undefined) || m;
      const el = render(m, raw, !!data.restoring || !!data.oldMessages, !!data.oldMessages);
      if (el && anchor) {
        element.insertBefore(el, anchor);
        regroup(el);
        regroup(anchor as Element);
      }
      if (el) ctx.publish('messageAdded', { data: m, message: m, originalMessage: raw, html: el, index: m.index, id: m.id });
    });
    if (anchor) element.scrollTop += element.scrollHeight - heightBefore;
  }

  return {
    element,
    typingLine,
    addMessages,
    bubble,
    systemLine,
    append,
    showTyping(name) {
      typingLine.textContent = fill(t('AgentTyping'), { Agent: name || agentName || t('AgentNameDefault') });
      typingLine.hidden = false;
    },
    hideTyping: () => (typingLine.hidden = true),
    scrollToEnd: () => (element.scrollTop = element.scrollHeight),
    addOwn,
    clear() {
      element.replaceChildren();
      shown.clear();
      own.length = 0;
      typingLine.hidden = true;
      fetchingHistory = false;
    },
  };
}
