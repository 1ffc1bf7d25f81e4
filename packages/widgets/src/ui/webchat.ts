import { add, formatTime, h, icon, link, linkify, safeUrl, sanitize } from './dom.js';
import { fill, strings, type Strings } from './i18n.js';
import type { BusEvent, BusLike, CommandEvent, Deferredish, UiMessage } from './types.js';
import { renderRich, richOf, richSummary, settleRich } from './rich-message.js';

/**
 * The `WebChat` UI plugin: chat button, invite, registration form, transcript and composer.
 * It talks to WebChatService only through the bus. Everything a person types (customer, agent,
 * bot) is rendered as text; `injectMessage` HTML is rebuilt from a safe subset.
 */

type Any = Record<string, any>;
const START_KEYS = ['firstname', 'lastname', 'email', 'subject', 'nickname'];
const STAFF = /^(Agent|Supervisor|Bot|External|Workflow)$/;
const BOT = /^(Bot|External|Workflow)$/;
const I_CLOSE = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z';
const I_MIN = 'M5 11h14v2H5z';
const I_MAX = 'M5 5h14v14H5zm2 4v8h10V9z';
const I_CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z';
const I_SEND = 'M3 20.5V14l11-2-11-2V3.5L22 12z';
const I_CLIP = 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z';

interface Field {
  name: string;
  label?: string;
  type?: string;
  placeholder?: string;
  value?: string;
  maxlength?: number;
  required?: boolean;
  options?: { text?: string; value?: string; selected?: boolean }[];
  validate?: (...a: unknown[]) => boolean;
}

let uid = 0;

export function createWebChat(bus: BusLike, root_?: Any): void {
  const reg0 = bus.registerPlugin('WebChat');
  if (!reg0) return;
  const P = reg0;
  const g: Any = root_ ?? ((window as Any)._genesys ||= {});
  const W: Any = g.widgets || g.cxwidget || {};
  const main: Any = W.main || {};
  const wc: Any = W.webchat || {};
  const cbCfg: Any = wc.chatButton || {};
  const cbOn = cbCfg.enabled !== false;
  const timeFmt = +(wc.timeFormat || main.timeFormat) === 12 ? 12 : 24;
  const id = (s: string) => `pz${++uid}-${s}`;

  // ---- state ----
  let S: Strings = strings(main.lang, main.i18n);
  let opened = false;
  let minimized = false;
  let active = false; // WebChatService has a live session
  let begun = false; // a chat started in the window that is open now
  let typingHooked = false;
  let historyBusy = false;
  let lastFocus: Element | null = null;
  let btnTimer: ReturnType<typeof setTimeout> | undefined;
  let btnShown = false;
  let agentName = '';
  let confirmDone: ((ok: boolean) => void) | null = null;
  let startOpts: Any = {};
  const seen = new Set<string>();
  let built = false;
  const queue: (() => void)[] = [];

  const publish = (ev: string, data?: unknown) => P.publish(ev, data);
  const when = (d: Deferredish) =>
    new Promise<any>((res, rej) => {
      d.done(res);
      d.fail(rej);
    });
  const cmd = (name: string, o?: unknown) => P.command(name, o);
  const t = (k: string) => S[k] ?? k;

  // ---- DOM ----
  let root!: HTMLDivElement, btn!: HTMLButtonElement, win!: HTMLDivElement, title!: HTMLHeadingElement;
  let bMin!: HTMLButtonElement, bClose!: HTMLButtonElement, body!: HTMLDivElement, form!: HTMLFormElement;
  let log!: HTMLDivElement, typing!: HTMLDivElement, foot!: HTMLDivElement, ta!: HTMLTextAreaElement;
  let bSend!: HTMLButtonElement,
    bFile: HTMLButtonElement | null = null,
    fileIn: HTMLInputElement | null = null;
  let count: HTMLSpanElement | null = null,
    live!: HTMLDivElement,
    ov!: HTMLDivElement,
    cf!: HTMLDivElement;
  let inv!: HTMLDivElement, banner!: HTMLDivElement, conn!: HTMLDivElement;

  const iconBtn = (cls: string, label: string, d: string) => h('button', { type: 'button', class: cls, 'aria-label': label, title: label }, icon(d));

  function rootClass(): string {
    const custom = main.themes && typeof main.themes[main.theme] === 'string' ? ' ' + main.themes[main.theme] : '';
    return `pz pz-${main.theme === 'dark' ? 'dark' : 'light'}${custom}`;
  }

  function build(): void {
    const lang = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/i.test(main.lang || '') ? main.lang : 'en';
    root = h('div', { class: rootClass(), lang });
    // chat button
    btn = h('button', { type: 'button', class: `pz-cb pz-${cbCfg.effect === 'slide' ? 'slide' : 'fade'}`, hidden: true }, icon(I_CHAT), h('span', null, t('ChatButton')));
    btn.style.transitionDuration = `${+cbCfg.effectDuration || 300}ms`;
    btn.onclick = () => cmd('WebChat.open');
    // invite
    const it = id('it');
    inv = h('div', { class: 'pz-inv pz-card', role: 'dialog', 'aria-labelledby': it, hidden: true });
    const accept = h('button', { type: 'button', class: 'pz-pri' }, t('InviteAccept'));
    const reject = h('button', { type: 'button', class: 'pz-sec' }, t('InviteReject'));
    accept.onclick = () => {
      inv.hidden = true;
      cmd('WebChat.open');
    };
    reject.onclick = () => {
      inv.hidden = true;
      btn.hidden || btn.focus();
    };
    inv.onkeydown = (e) => e.key === 'Escape' && reject.click();
    add(inv, h('h2', { id: it }, t('InviteTitle')), h('p', null, t('InviteBody')), h('div', { class: 'pz-row' }, reject, accept));
    // window
    const tid = id('t');
    title = h('h2', { id: tid }, t('ChatTitle'));
    bMin = iconBtn('pz-ib', t('AriaMinimize'), I_MIN);
    bMin.setAttribute('aria-expanded', 'true');
    bClose = iconBtn('pz-ib', t('AriaClose'), I_CLOSE);
    bMin.onclick = () => cmd('WebChat.minimize');
    bClose.onclick = () => cmd('WebChat.close');
    win = h('div', { class: 'pz-win', role: 'dialog', 'aria-labelledby': tid, hidden: true });
    const hd = h('div', { class: 'pz-hd' }, title, bMin, bClose);
    form = h('form', { class: 'pz-form', novalidate: true, hidden: true });
    log = h('div', { class: 'pz-log', role: 'region', 'aria-label': t('AriaTranscript'), tabindex: 0 });
    log.onscroll = () => {
      if (log.scrollTop > 0 || !active || historyBusy) return;
      historyBusy = true;
      when(cmd('WebChatService.fetchHistory')).then(
        () => (historyBusy = false),
        () => undefined, // not async, or nothing more: stay quiet
      );
    };
    typing = h('div', { class: 'pz-typing', hidden: true });
    ov = h('div', { class: 'pz-ov', hidden: true });
    const cq = id('cq');
    cf = h('div', { class: 'pz-cf', role: 'alertdialog', 'aria-labelledby': cq, hidden: true }, h('p', { id: cq }));
    banner = h('div', { class: 'pz-bn', role: 'region', hidden: true });
    // The server or the network is down: the chat goes on once it is back (the service keeps polling).
    conn = h('div', { class: 'pz-conn', role: 'status', 'aria-live': 'polite', hidden: true });
    body = h('div', { class: 'pz-body' }, form, banner, conn, log, typing, ov, cf);
    // composer
    ta = h('textarea', { rows: 1, 'aria-label': t('AriaMessageInput'), placeholder: t('ChatInputPlaceholder') });
    const max = +wc.maxMessageLength || 0;
    if (max) ta.maxLength = max;
    bSend = iconBtn('pz-ib pz-send', t('ChatInputSend'), I_SEND);
    foot = h('div', { class: 'pz-ft', hidden: true });
    if (wc.uploadsEnabled) {
      fileIn = h('input', { type: 'file', hidden: true, tabindex: -1, 'aria-hidden': 'true', accept: 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain' });
      bFile = iconBtn('pz-ib', t('ActionsSendFile'), I_CLIP);
      bFile.onclick = () => fileIn!.click();
      fileIn.onchange = () => {
        const inp = fileIn!;
        if (!inp.files?.length) return;
        when(cmd('WebChatService.sendFile', { files: inp }))
          .catch(() => sys(t('FileTransferError')))
          .finally(() => (inp.value = ''));
      };
    }
    if (wc.charCountEnabled && max) {
      count = h('span', { class: 'pz-cc', 'aria-hidden': 'true' }, String(max));
      ta.addEventListener('input', () => (count!.textContent = String(max - ta.value.length)));
    }
    add(foot, bFile, fileIn, ta, count, bSend);
    ta.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        send();
      }
    });
    bSend.onclick = send;
    const grow = () => {
      ta.style.height = '';
      ta.style.height = Math.min(ta.scrollHeight + 2, 120) + 'px';
    };
    ta.addEventListener('input', grow);
    live = h('div', { class: 'pz-sr', 'aria-live': 'polite' });
    add(win, hd, body, foot);
    add(root, inv, win, btn, live);
    win.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      if (confirmDone) return confirmDone(false);
      if (begun && active && !minimized) {
        setMin(true);
        bMin.focus();
      } else cmd('WebChat.close');
    });
    // mobile mode
    const mm = main.mobileMode ?? 'auto';
    if (mm === true) root.classList.add('pz-mob');
    else if (mm === 'auto' && typeof matchMedia === 'function') {
      const q = matchMedia(`(max-width: ${(+main.mobileModeBreakpoint || 600) - 0.02}px)`);
      const set = () => root.classList.toggle('pz-mob', q.matches);
      set();
      q.addEventListener?.('change', set);
    }
    document.body.appendChild(root);
    built = true;
    queue.splice(0).forEach((f) => f());
    if (cbOn) showButton(cbCfg.openDelay ?? 1000);
    const ai: Any = wc.autoInvite || {};
    if (ai.enabled)
      setTimeout(
        () => {
          if (opened) return;
          invite();
          if (ai.inviteTimeoutSeconds) setTimeout(() => (inv.hidden = true), ai.inviteTimeoutSeconds * 1000);
        },
        (ai.timeToInviteSeconds ?? 5) * 1000,
      );
  }

  // ---- chat button / invite ----
  function showButton(delay = 0, duration = 0): void {
    clearTimeout(btnTimer);
    const go = () => {
      if (opened) return;
      btn.hidden = false;
      btnShown = true;
      void btn.offsetWidth;
      btn.classList.add('pz-on');
      publish('chatButtonDisplayed');
      if (duration) btnTimer = setTimeout(hideButton, duration);
    };
    delay > 0 ? (btnTimer = setTimeout(go, delay)) : go();
  }
  function hideButton(): void {
    clearTimeout(btnTimer);
    btn.classList.remove('pz-on');
    btn.hidden = true;
  }
  function invite(): void {
    if (!opened) inv.hidden = false;
  }

  // ---- window ----
  function focusIn(): void {
    const el = !form.hidden ? form.querySelector<HTMLElement>('input:not([type=hidden]),select,textarea,button') : !foot.hidden && !ta.disabled ? ta : log;
    (el || bClose).focus();
  }

  function setMin(min: boolean): void {
    if (!opened || min === minimized) return;
    minimized = min;
    win.classList.toggle('pz-min', min);
    bMin.setAttribute('aria-expanded', String(!min));
    bMin.replaceChildren(icon(min ? I_MAX : I_MIN));
    bMin.title = t(min ? 'AriaMaximize' : 'AriaMinimize');
    bMin.setAttribute('aria-label', bMin.title);
    publish(min ? 'minimized' : 'unminimized');
  }

  function openWin(o: Any, focus: boolean): void {
    opened = true;
    lastFocus = document.activeElement;
    inv.hidden = true;
    hideButton();
    win.hidden = false;
    if (begun || active) showChat();
    else if (o.form === false) {
      showChat();
      void start({ userData: o.userData, async: o.async });
    } else showForm(o);
    P.data?.('open', true);
    publish('opened');
    if (focus) focusIn();
  }

  function closeWin(): void {
    if (!opened) return;
    const wasBegun = begun;
    opened = begun = historyBusy = false;
    setMin(false);
    minimized = false;
    win.hidden = true;
    hideConfirm();
    ov.hidden = true;
    form.hidden = true;
    log.replaceChildren();
    hideBanner();
    seen.clear();
    typing.hidden = true;
    P.data?.('open', false);
    if (!wasBegun) publish('cancelled');
    publish('closed');
    if (cbOn || btnShown) showButton(0);
    const back = !btn.hidden ? btn : lastFocus;
    if (back && back instanceof HTMLElement && back.isConnected) back.focus();
  }

  function confirm(q: string, yes: string, no: string): Promise<boolean> {
    hideConfirm();
    cf.firstElementChild!.textContent = q;
    const by = h('button', { type: 'button', class: 'pz-pri' }, yes);
    const bn = h('button', { type: 'button', class: 'pz-sec' }, no);
    cf.replaceChildren(cf.firstElementChild!, h('div', { class: 'pz-row' }, bn, by));
    cf.hidden = false;
    bn.focus();
    return new Promise((res) => {
      confirmDone = (ok) => {
        hideConfirm();
        res(ok);
        if (!ok && opened) focusIn();
      };
      by.onclick = () => confirmDone!(true);
      bn.onclick = () => confirmDone!(false);
    });
  }
  function hideConfirm(): void {
    cf.hidden = true;
    confirmDone = null;
  }

  async function requestClose(): Promise<void> {
    if (!opened) throw 'already closed';
    if (active) {
      if (wc.confirmFormCloseEnabled !== false && !(await confirm(t('ConfirmCloseWindow'), t('ConfirmCloseConfirm'), t('ConfirmCloseCancel')))) throw 'Close cancelled by the user.';
      await when(cmd('WebChatService.endChat')).catch(() => undefined);
    }
    closeWin();
  }

  // ---- form ----
  function defaultFields(): Field[] {
    return [
      { name: 'firstname', label: t('ChatFormFirstName'), required: true, maxlength: 100 },
      { name: 'lastname', label: t('ChatFormLastName'), required: true, maxlength: 100 },
      { name: 'email', label: t('ChatFormEmail'), type: 'email', required: true, maxlength: 100 },
      { name: 'subject', label: t('ChatFormSubject'), maxlength: 100 },
    ];
  }

  function showForm(o: Any): void {
    const pre: Any = o.form || wc.form || {};
    const fj: Any = o.formJSON || wc.formJSON;
    const fields: Field[] = fj && Array.isArray(fj.inputs) ? fj.inputs : defaultFields();
    form.replaceChildren();
    log.hidden = foot.hidden = true;
    form.hidden = false;
    const inputs: [Field, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, HTMLElement][] = [];
    for (const f of fields) {
      if (!f || !f.name) continue;
      const fid = id('f');
      const type = f.type || 'text';
      let el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
      if (type === 'select') {
        el = h('select', { id: fid, name: f.name });
        for (const op of f.options || []) el.appendChild(h('option', { value: op.value ?? op.text ?? '', selected: !!op.selected }, op.text ?? op.value ?? ''));
      } else if (type === 'textarea') el = h('textarea', { id: fid, name: f.name, rows: 3 });
      else el = h('input', { id: fid, name: f.name, type: /^(email|tel|hidden|checkbox|number)$/.test(type) ? type : 'text', autocomplete: autocompleteFor(f.name) });
      if (f.placeholder) el.setAttribute('placeholder', String(f.placeholder));
      if (f.maxlength && !(el instanceof HTMLSelectElement)) el.maxLength = +f.maxlength;
      const v = pre[f.name] ?? f.value;
      if (v != null) (el as HTMLInputElement).value = String(v);
      if (f.required) el.setAttribute('aria-required', 'true');
      if (type === 'hidden') {
        form.appendChild(el);
        inputs.push([f, el, el]);
        continue;
      }
      const err = h('span', { class: 'pz-err', id: fid + 'e', hidden: true }, t('ChatFormInvalid'));
      const lab = h('label', { for: fid }, String(f.label ?? f.name), f.required ? h('span', { class: 'pz-req' }, ` (${t('ChatFormRequired')})`) : null);
      el.setAttribute('aria-describedby', err.id);
      form.appendChild(h('div', { class: type === 'checkbox' ? 'pz-fld pz-chk' : 'pz-fld' }, lab, el, err));
      inputs.push([f, el, err]);
    }
    const status = h('p', { class: 'pz-ferr', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'pz-pri' }, t('ChatFormSubmit'));
    const cancel = h('button', { type: 'button', class: 'pz-sec' }, t('ChatFormCancel'));
    cancel.onclick = () => cmd('WebChat.close');
    add(form, status, h('div', { class: 'pz-row' }, cancel, submit));

    const valid = (): boolean => {
      let first: HTMLElement | null = null;
      for (const [f, el, err] of inputs) {
        const val = el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.checked ? 'x' : '') : el.value.trim();
        let ok = !(f.required && !val);
        if (ok && el.type === 'email' && val) ok = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(val);
        if (ok && typeof f.validate === 'function') {
          try {
            ok = f.validate(null, form, el, err, undefined, (window as Any).CXBus, undefined) !== false;
          } catch {
            ok = false;
          }
        }
        if (el.type === 'hidden') continue;
        el.toggleAttribute('aria-invalid', !ok);
        if (!ok) el.setAttribute('aria-invalid', 'true');
        err.hidden = ok;
        if (!ok) first ||= el;
      }
      first?.focus();
      return !first;
    };

    form.onsubmit = (e) => {
      e.preventDefault();
      if (!valid()) return;
      const data: Any = {};
      const ud: Any = { ...(o.userData || {}) };
      for (const [f, el] of inputs) {
        const val = el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value.trim();
        if (START_KEYS.includes(f.name)) data[f.name] = val;
        else ud[f.name] = val;
      }
      status.textContent = '';
      submit.disabled = true;
      publish('submitted', { ...data, userData: ud });
      void start({ ...data, userData: ud, async: o.async }).then((ok) => {
        submit.disabled = false;
        if (!ok) status.textContent = t('ChatError');
      });
    };
    if (pre.autoSubmit) form.requestSubmit();
  }

  function autocompleteFor(n: string): string {
    return n === 'firstname' ? 'given-name' : n === 'lastname' ? 'family-name' : n === 'email' ? 'email' : n === 'nickname' ? 'nickname' : 'off';
  }

  async function start(o: Any): Promise<boolean> {
    const opts: Any = {};
    for (const k in o) if (o[k] !== undefined) opts[k] = o[k];
    startOpts = opts;
    try {
      await when(cmd('WebChatService.startChat', opts));
      onStarted(false);
      return true;
    } catch (err) {
      publish('rejected', err);
      if (form.hidden) sys(t('ChatError'));
      return false;
    }
  }

  // ---- chat view ----
  function showChat(): void {
    form.hidden = true;
    log.hidden = foot.hidden = false;
    setComposer(active);
  }
  function setComposer(on: boolean): void {
    ta.disabled = bSend.disabled = !on;
    if (bFile) bFile.disabled = !on;
  }

  function onStarted(restored: boolean): void {
    if (active && begun) return;
    active = begun = true;
    if (!opened) openWin({}, false);
    showChat();
    if (!restored) {
      hideBanner();
      sys(t('ChatStarted'));
      if (win.contains(document.activeElement) || document.activeElement === document.body) ta.focus();
    }
    publish('started', restored ? { restored } : startOpts);
    if (!typingHooked) {
      typingHooked = true;
      cmd('WebChatService.registerTypingPreviewInput', { input: ta });
    }
  }

  function onEnded(): void {
    if (!active) return;
    active = false;
    typing.hidden = true;
    setComposer(false);
    hideBanner();
    if (opened) {
      sys(t('ChatEnded'));
      announce(t('ChatEnded'));
    }
    publish('completed');
  }

  function send(): void {
    const text = ta.value.trim();
    if (!text || !active) return;
    ta.value = '';
    if (count) count.textContent = String(+wc.maxMessageLength - 0);
    ta.style.height = '';
    when(cmd('WebChatService.sendMessage', { message: text })).catch(() => {
      sys(t('MessageFailed'));
      if (!ta.value) ta.value = text; // give the text back to retry
    });
  }

  // ---- rendering ----
  function stick(el: HTMLElement): HTMLElement {
    log.appendChild(el);
    log.scrollTop = log.scrollHeight;
    return el;
  }
  function timeEl(ts?: unknown): HTMLElement {
    let d = new Date(typeof ts === 'string' && /^\d+$/.test(ts) ? +ts : ((ts as string | number) ?? Date.now()));
    if (isNaN(+d)) d = new Date();
    return h('time', { class: 'pz-time', datetime: d.toISOString() }, formatTime(d, timeFmt));
  }
  function sys(text: string, ts?: unknown): HTMLElement {
    return stick(h('div', { class: 'pz-sys' }, h('span', null, text), ' ', timeEl(ts)));
  }

  interface BubbleOpts {
    side: 'agent' | 'me' | 'none';
    name?: string | false;
    ts?: unknown;
    time?: boolean;
    content: Node;
    fill?: string;
    radius?: string;
    avatar?: Node | null;
  }
  function bubble(b: BubbleOpts): HTMLElement {
    const bub = h('div', { class: 'pz-b' }, b.content);
    if (b.fill) bub.style.background = b.fill;
    if (b.radius) bub.style.borderRadius = b.radius;
    const meta =
      b.name !== false || b.time !== false ? h('div', { class: 'pz-meta' }, b.name !== false ? h('span', { class: 'pz-who' }, b.name || '') : null, b.time !== false ? timeEl(b.ts) : null) : null;
    const el = stick(h('div', { class: `pz-msg pz-${b.side}` }, b.avatar || null, h('div', { class: 'pz-c' }, meta, bub)));
    const rgb = b.fill && getComputedStyle(bub).backgroundColor.match(/[\d.]+/g);
    // a custom fill gets black or white text, whichever reads better on it
    if (rgb) bub.style.color = +rgb[0]! * 0.299 + +rgb[1]! * 0.587 + +rgb[2]! * 0.114 > 150 ? '#111' : '#fff';
    return el;
  }

  function fileLink(m: UiMessage, raw: UiMessage): Node | null {
    const c = (m.content || raw.content || [])[0] || (m as Any).file || null;
    const base = String(wc.transport?.dataURL || '').replace(/\/sessions\/?$/, '');
    const u = c?.url ?? m.url ?? raw.url;
    const href = typeof u === 'string' ? safeUrl(/^https?:/i.test(u) ? u : u.startsWith(base) ? u : base + u) : null;
    const name = String(c?.name || m.text || raw.text || 'file');
    if (!href) return document.createTextNode(name);
    const f = document.createDocumentFragment();
    if (c && /^image\/(png|jpeg|gif|webp)$/.test(c.mime || '')) f.appendChild(h('img', { src: href, alt: '', class: 'pz-thumb' }));
    f.appendChild(link(href, name));
    return f;
  }

  function render(m: UiMessage, raw: UiMessage, restoring: boolean): HTMLElement | null {
    const type = String(m.type || '');
    const ft = String(m.from?.type || raw.from?.type || '');
    const staff = STAFF.test(ft);
    const bot = BOT.test(ft);
    const me = ft === 'Client' || ft === 'Customer';
    const name = m.from?.name || (raw.from as Any)?.nickname || (bot ? t('BotNameDefault') : staff ? t('AgentNameDefault') : '');
    const text = typeof m.text === 'string' ? m.text : typeof raw.text === 'string' ? raw.text : '';
    // UI events (seed 004) drive the banner (uiEvent), never the transcript
    if (type === 'TypingStarted' || type === 'TypingStopped' || /^ui-event-/.test(String(m.event ?? raw.event ?? ''))) return null;
    if (type === 'ParticipantJoined' || type === 'ParticipantLeft') {
      if (!staff) return null;
      if (type === 'ParticipantJoined') agentName = name;
      return sys(fill(t(type === 'ParticipantJoined' ? 'AgentConnected' : 'AgentDisconnected'), { Agent: name }), m.timestamp);
    }
    const isFile = /^File/.test(type) || !!(m.content || raw.content)?.length;
    if (type === 'Message' || type === 'Text' || type === 'PushUrl' || isFile) {
      let content: Node;
      if (isFile) content = h('span', null, me ? '' : `${t('FileSent')} `, fileLink(m, raw));
      else if (type === 'PushUrl') {
        const u = safeUrl(m.url ?? raw.url ?? text);
        content = u ? link(u, text || u) : linkify(text);
      } else content = linkify(text);
      if (staff) {
        typing.hidden = true;
        agentName = name;
        if (!restoring) announce(`${name} ${t('AriaSaid')}: ${text}`);
      }
      if (me) settleRich(log); // the customer answered: earlier quick replies are used up
      const el = bubble({ side: me ? 'me' : 'agent', name: me ? t('YouName') : name, ts: m.timestamp, content });
      if (bot && !me) el.classList.add('pz-bot');
      const rich = !me && richOf(raw, m);
      const richEl =
        rich && renderRich(rich, { send: (message) => when(cmd('WebChatService.sendMessage', { message })), active: () => active, labels: { choices: t('AriaChoices'), carousel: t('AriaCards') } });
      if (richEl) {
        el.lastElementChild!.appendChild(richEl);
        log.scrollTop = log.scrollHeight;
        if (!restoring) announce(`${t('AriaChoices')}: ${richSummary(richEl)}`);
      }
      return el;
    }
    if ((type === 'Notice' || !me) && text && type !== 'System') {
      if (!restoring) announce(text); // idle alert and close, queue position…
      return sys(text, m.timestamp);
    }
    return null;
  }

  // ---- banner (seed 004: ui-event-update-promotion / ui-event-close-promotion) ----
  function promo(d: Any, quiet: boolean): void {
    const title = typeof d.title === 'string' ? d.title.trim() : '';
    const acts: HTMLElement[] = [];
    for (const o of Array.isArray(d.options) ? d.options : []) {
      if (!o || typeof o !== 'object') continue;
      const label = String(o.title || o.text || '').trim();
      if (o.url != null) {
        const u = safeUrl(o.url);
        if (u) acts.push(pri(link(u, label || u)));
      } else if (typeof o.text === 'string' && o.text.trim()) {
        const b = pri(h('button', { type: 'button' }, label));
        let busy = false; // not disabled: the button keeps focus
        b.onclick = () => {
          if (busy || !active) return;
          busy = true;
          when(cmd('WebChatService.sendMessage', { message: o.text }))
            .catch(() => sys(t('MessageFailed')))
            .finally(() => (busy = false));
        };
        acts.push(b);
      }
    }
    if (!title && !acts.length) return hideBanner();
    const had = banner.contains(document.activeElement);
    const tid = id('bn');
    banner.replaceChildren();
    add(banner, title && h('p', { id: tid }, title), acts.length ? h('div', { class: 'pz-row' }, ...acts) : null);
    if (title) {
      banner.setAttribute('aria-labelledby', tid);
      banner.removeAttribute('aria-label');
    } else {
      banner.setAttribute('aria-label', t('AriaBanner'));
      banner.removeAttribute('aria-labelledby');
    }
    banner.hidden = false;
    if (had) (acts[0] || ta).focus();
    if (!quiet) announce([title, ...acts.map((a) => a.textContent)].filter(Boolean).join(' '));
  }
  function pri<T extends HTMLElement>(el: T): T {
    el.className = 'pz-pri';
    return el;
  }
  function hideBanner(): void {
    if (banner.hidden) return;
    const had = banner.contains(document.activeElement);
    banner.hidden = true;
    banner.replaceChildren();
    if (had && opened) focusIn();
  }

  function announce(text: string): void {
    live.appendChild(h('p', null, text));
    while (live.childNodes.length > 3) live.firstChild!.remove();
  }

  function onMessages(e: BusEvent): void {
    const d: Any = e.data || {};
    const raws: UiMessage[] = d.originalMessages || [];
    const msgs: UiMessage[] = d.messages || [];
    // older messages (fetchHistory) go above what is shown, keeping the scroll position
    const anchor = d.oldMessages ? log.firstChild : null;
    const h0 = log.scrollHeight;
    msgs.forEach((m, i) => {
      if (!m) return;
      const key = String(m.index ?? m.id ?? '');
      if (key) {
        if (seen.has(key)) return;
        seen.add(key);
      }
      const raw = raws.find((r) => r && ((m.id && r.id === m.id) || String(r.index ?? '').replace(/-/g, '') === key.replace(/-/g, ''))) || (raws.length === msgs.length ? raws[i] : undefined) || m;
      const el = render(m, raw, !!d.restoring || !!d.oldMessages);
      if (el && anchor) log.insertBefore(el, anchor);
      if (el) publish('messageAdded', { data: m, message: m, originalMessage: raw, html: el, index: m.index, id: m.id });
    });
    if (anchor) log.scrollTop += log.scrollHeight - h0;
  }

  // ---- injectMessage ----
  function inject(o: Any): HTMLElement {
    if (!opened || !begun) throw 'No chat session to inject into.';
    const b: Any = o.bubble || {};
    const content = (v: unknown): Node => (v instanceof Node ? v : o.type === 'html' ? sanitize(String(v ?? '')) : linkify(String(v ?? '')));
    let el: HTMLElement;
    if (o.custom != null) el = stick(h('div', { class: 'pz-custom' }, o.custom instanceof Node ? o.custom : sanitize(String(o.custom))));
    else {
      const av = b.avatar && typeof b.avatar === 'object' && b.avatar.custom ? h('span', { class: 'pz-av', 'aria-hidden': 'true' }, content(b.avatar.custom)) : null;
      el = bubble({
        side: b.direction === 'right' ? 'me' : b.direction === 'none' ? 'none' : 'agent',
        name: b.name === false ? false : String(o.name ?? ''),
        time: b.time !== false,
        content: h('div', null, content(o.text)),
        fill: typeof b.fill === 'string' ? b.fill : undefined,
        radius: b.radius != null ? String(b.radius) : undefined,
        avatar: av,
      });
    }
    el.classList.add('pz-inj');
    publish('messageAdded', { data: o, message: o, originalMessage: o, html: el, index: undefined, id: undefined });
    return el;
  }

  // ---- commands ----
  const reg = (name: string, fn: (o: Any) => unknown) =>
    P.registerCommand(name, (e: CommandEvent) => {
      const run = () => {
        try {
          Promise.resolve(fn(e.data || {})).then(
            (v) => e.deferred.resolve(v),
            (err) => e.deferred.reject(err),
          );
        } catch (err) {
          e.deferred.reject(err);
        }
      };
      built ? run() : queue.push(run);
    });

  reg('open', (o) => {
    if (opened) throw 'already opened';
    openWin(o, true);
  });
  reg('close', requestClose);
  reg('minimize', (o) => {
    if (!opened) throw 'WebChat is not open.';
    setMin(typeof o.minimized === 'boolean' ? o.minimized : !minimized);
  });
  reg('endChat', () => when(cmd('WebChatService.endChat')));
  reg('invite', invite);
  reg('reInvite', invite);
  reg('injectMessage', inject);
  reg('showOverlay', (o) => {
    if (!opened) throw 'WebChat is not open.';
    ov.replaceChildren(o.html instanceof Node ? o.html : sanitize(String(o.html ?? '')));
    ov.hidden = false;
    foot.classList.toggle('pz-off', !!o.hideFooter);
  });
  reg('hideOverlay', () => {
    ov.hidden = true;
    foot.classList.remove('pz-off');
  });
  reg('showChatButton', (o) => {
    if (opened) throw 'WebChat is open.';
    showButton(+o.openDelay || 0, +o.duration || 0);
  });
  reg('hideChatButton', () => hideButton());
  reg('hide', () => (root.hidden = true));
  reg('show', () => (root.hidden = false));
  P.registerEvents?.(['ready', 'opened', 'closed', 'minimized', 'unminimized', 'cancelled', 'completed', 'messageAdded', 'submitted', 'rejected', 'started', 'chatButtonDisplayed']);

  // ---- service events ----
  const on = (ev: string, fn: (e: BusEvent) => void) => P.subscribe('WebChatService.' + ev, (e) => (built ? fn(e) : queue.push(() => fn(e))));
  on('messageReceived', onMessages);
  on('started', () => onStarted(false));
  on('restored', () => onStarted(true));
  on('ended', onEnded);
  on('sessionLost', onEnded);
  on('uiEvent', (e) => {
    const d: Any = e.data || {};
    if (d.name === 'ui-event-update-promotion') promo(d.data || {}, !!d.restoring);
    else if (d.name === 'ui-event-close-promotion') hideBanner();
  });
  on('agentTypingStarted', (e) => {
    const n = e.data?.from?.name || e.data?.name || agentName || t('AgentNameDefault');
    typing.textContent = fill(t('AgentTyping'), { Agent: n });
    typing.hidden = false;
  });
  const stopTyping = () => (typing.hidden = true);
  P.subscribe('App.themeChanged', (e) => {
    main.theme = e.data?.theme;
    if (built) root.className = rootClass() + (root.classList.contains('pz-mob') ? ' pz-mob' : '');
  });
  on('agentTypingStopped', stopTyping);
  on('agentTypingTimeout', stopTyping);
  const offline = () => {
    conn.textContent = t('Reconnecting');
    conn.hidden = false;
  };
  const online = () => {
    conn.hidden = true;
    conn.textContent = '';
  };
  for (const ev of ['disconnected', 'chatServerWentOffline']) on(ev, offline);
  for (const ev of ['reconnected', 'chatServerBackOnline', 'ended', 'sessionLost', 'started', 'restored']) on(ev, online);

  // ---- boot ----
  const boot = async () => {
    if (typeof main.i18n === 'string') {
      try {
        S = strings(main.lang, await (await fetch(main.i18n)).json());
      } catch {
        /* keep the built-in strings */
      }
    }
    if (document.body) build();
    else (await new Promise((r) => addEventListener('DOMContentLoaded', r, { once: true })), build());
    P.republish('ready');
    P.ready();
  };
  void boot();
}
