import { add, h, sanitize, linkify } from './dom.js';
import { strings, type Strings } from './i18n.js';
import { createContext, settle, type Options, type UiContext } from './context.js';
import type { BusEvent, BusLike, CommandEvent } from './types.js';
import { createAnnouncer } from './views/announcer.js';
import { createBanner } from './views/banner.js';
import { createChatButton } from './views/chat-button.js';
import { createComposer } from './views/composer.js';
import { createConfirmDialog } from './views/confirm-dialog.js';
import { createInvite } from './views/invite.js';
import { createPrechatForm } from './views/prechat-form.js';
import { createTranscript } from './views/transcript.js';
import { createWindowHeader } from './views/window-header.js';
import { createAttention } from './attention.js';
import { loadAddon } from './addons.js';
import { createUiMemory } from './ui-memory.js';
import { createAgentText } from './agent-text.js';
import { createDelivery } from './delivery.js';

/**
 * The `WebChat` UI plugin: chat button, invite, registration form, transcript and composer, each a
 * view in views/ that owns its DOM. This file holds the window's state (open, minimized, chat
 * active), the plugin's commands and its reactions to WebChatService's events. It talks to
 * WebChatService only through the bus. Everything a person types (customer, agent, bot) is
 * rendered as text; `injectMessage` HTML is rebuilt from a safe subset.
 */
export function createWebChat(bus: BusLike, genesysRoot?: Options): void {
  const registered = bus.registerPlugin('WebChat');
  if (!registered) return;
  const plugin = registered;
  const genesys: Options = genesysRoot ?? ((window as Options)._genesys ||= {});
  const widgets: Options = genesys.widgets || genesys.cxwidget || {};
  const main: Options = widgets.main || {};
  const webchat: Options = widgets.webchat || {};
  const chatButtonEnabled = (webchat.chatButton || {}).enabled !== false;

  let texts: Strings = strings(main.lang, main.i18n);
  const ctx: UiContext = createContext(plugin, main, webchat, (key) => texts[key] ?? key);
  const t = ctx.text;

  let opened = false;
  let minimized = false;
  let chatActive = false; // WebChatService has a live session
  let chatBegun = false; // a chat started in the window that is open now
  let typingPreviewRegistered = false;
  let focusBeforeOpen: Element | null = null;
  let startOptions: Options = {};
  let openOptions: Options = {};
  let built = false;
  const memory = createUiMemory(main.deploymentID, webchat.form?.remember !== false);
  const beforeBuild: (() => void)[] = [];
  /** The server's answer to `availability` (Chat API v3 only), asked once per window opening. */
  let availability: Promise<Options | null> | null = null;
  /** The leave-a-message form, while it stands in for the registration form. */
  let leaveForm: HTMLElement | null = null;
  /** Moves on whenever the window starts over, so that an add-on loaded late does not show in a newer chat. */
  let windowRound = 0;

  // Built once the document has a body (build()).
  let views!: ReturnType<typeof buildViews>;

  function rootClass(): string {
    const custom = main.themes && typeof main.themes[main.theme] === 'string' ? ' ' + main.themes[main.theme] : '';
    return `pz pz-${main.theme === 'dark' ? 'dark' : 'light'}${custom}`;
  }

  function buildViews() {
    const lang = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/i.test(main.lang || '') ? main.lang : 'en';
    const root = h('div', { class: rootClass(), lang });
    const announcer = createAnnouncer();
    const chatButton = createChatButton(ctx, () => opened);
    const invite = createInvite(ctx, () => {
      if (chatButtonEnabled || chatButton.everShown) chatButton.show(0);
      if (!chatButton.element.hidden) chatButton.element.focus();
    });
    const header = createWindowHeader(ctx);
    const attention = createAttention(ctx, header.showUnread);
    const win = h('div', { class: 'pz-win', role: 'dialog', 'aria-labelledby': header.titleId, hidden: true });
    const transcript = createTranscript(ctx, {
      announcer,
      chatActive: () => chatActive,
      agentMessage: () => attention.newMessage(!opened || minimized || document.hidden),
      agentNamed: header.showAgent,
      formatText: createAgentText(!!webchat.markdown),
    });
    const composer = createComposer(ctx, {
      chatActive: () => chatActive,
      send: (text) => delivery.send(text),
      notice: (text) => transcript.systemLine(text),
      announce: (text) => announcer.say(text),
      startNewChat,
      draftChanged: (text) => memory.set('draft', text),
      pickEmoji: (anchor, insert) =>
        void loadAddon('emoji').then(
          (a) => a.emoji!.open(anchor, insert, t('ActionsEmoji')),
          () => undefined,
        ),
    });
    const form = createPrechatForm(ctx, { start, remembered: memory.visitor, remember: memory.rememberVisitor });
    const confirm = createConfirmDialog(ctx, () => opened && focusInside());
    const banner = createBanner(ctx, {
      announcer,
      chatActive: () => chatActive,
      focusAfter: () => opened && focusInside(),
      sendFailed: () => transcript.systemLine(t('MessageFailed')),
      composer: () => composer.input,
      resized: () => transcript.scrollToEnd(),
    });
    const overlay = h('div', { class: 'pz-ov', hidden: true });
    // The server or the network is down: the chat goes on once it is back (the service keeps polling).
    const connection = h('div', { class: 'pz-conn', role: 'status', 'aria-live': 'polite', hidden: true });
    const body = h('div', { class: 'pz-body' }, form.element, banner.element, connection, transcript.element, transcript.typingLine, overlay, confirm.element);
    add(win, header.element, body, composer.element);
    add(root, invite.element, win, chatButton.element, announcer.element);
    win.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      if (confirm.dismiss()) return;
      if (chatBegun && chatActive && !minimized) {
        setMinimized(true);
        header.minimizeButton.focus();
      } else ctx.command('WebChat.close');
    });
    const delivery = createDelivery(ctx, { transcript, composer, announce: announcer.say }, () => chatActive);
    document.addEventListener('visibilitychange', () => !document.hidden && opened && !minimized && attention.seen());
    return { root, announcer, attention, delivery, chatButton, invite, header, win, transcript, composer, form, confirm, banner, overlay, connection };
  }

  function followMobileMode(root: HTMLElement): void {
    const mode = main.mobileMode ?? 'auto';
    if (mode === true) root.classList.add('pz-mob');
    else if (mode === 'auto' && typeof matchMedia === 'function') {
      const query = matchMedia(`(max-width: ${(+main.mobileModeBreakpoint || 600) - 0.02}px)`);
      const apply = () => root.classList.toggle('pz-mob', query.matches);
      apply();
      query.addEventListener?.('change', apply);
    }
  }

  function build(): void {
    views = buildViews();
    followMobileMode(views.root);
    document.body.appendChild(views.root);
    built = true;
    beforeBuild.splice(0).forEach((f) => f());
    if (memory.get('open') === 'form') {
      openWindow({}, false);
      if (memory.get('minimized')) setMinimized(true);
    } else if (chatButtonEnabled) views.chatButton.show(webchat.chatButton?.openDelay ?? 1000);
    scheduleAutoInvite();
  }

  // ---- around a chat: availability, leave a message, survey and transcript (addons/extras, on demand) ----
  const request = (method: string, path: string, data?: Options, query?: Options) => settle(ctx.command('WebChatService.parleyRequest', { method, path, data, query }));
  const extrasText = (key: string, english: string) => (t(key) === key ? english : t(key));
  const askAvailability = (queue?: string) => (availability ??= request('GET', '/availability', undefined, queue ? { queue } : undefined).catch(() => null));

  /** With the form shown: when no one can chat now (business hours, no agent), "leave a message" takes its place. */
  function offerLeaveMessage(o: Options): void {
    if (webchat.offline === false) return;
    const queue = o.queue ?? webchat.offline?.queue;
    void askAvailability(queue).then((a) => {
      if (!a || a.open || chatActive || views.form.element.hidden) return;
      return loadAddon('extras').then(({ extras }) => {
        if (chatActive || views.form.element.hidden) return;
        leaveForm = extras!.leaveMessage({
          request,
          text: extrasText,
          uniqueId: ctx.uniqueId,
          reason: a.reason,
          queue,
          remembered: memory.visitor(),
          sent: () => ctx.publish('messageLeft'),
          cancel: () => void ctx.command('WebChat.close'),
        });
        views.form.element.hidden = true;
        views.form.element.before(leaveForm);
        leaveForm.querySelector<HTMLElement>('input')?.focus();
      });
    });
  }

  function removeLeaveForm(): void {
    leaveForm?.remove();
    leaveForm = null;
  }

  /** Once the chat has ended: the survey and the transcript below it. */
  function showAfterChat(): void {
    if (webchat.survey === false && webchat.transcript === false) return;
    const round = windowRound;
    void askAvailability().then(
      (a) => {
        if (!a || round !== windowRound) return;
        return loadAddon('extras').then(({ extras }) => {
          if (round !== windowRound) return;
          views.transcript.append(
            extras!.afterChat({ request, text: extrasText, uniqueId: ctx.uniqueId, email: !!a.transcriptEmail && webchat.transcript?.email !== false, survey: webchat.survey !== false }),
          );
        });
      },
      () => undefined,
    );
  }

  /** Forgets the chat shown: transcript, banner, ended state, agent, delivery states; availability is asked again. */
  function clearChatView(): void {
    availability = null;
    windowRound++;
    views.transcript.clear();
    views.banner.hide();
    views.composer.showEnded(false);
    views.header.showAgent('');
    views.delivery.clear();
  }

  /** After the end: the window goes back to the start (the form, or a new chat at once). */
  function startNewChat(): void {
    if (chatActive) return;
    chatBegun = false;
    clearChatView();
    showStart(openOptions);
    focusInside();
  }

  function showStart(o: Options): void {
    if (o.form === false) {
      showChat();
      void start({ userData: o.userData, async: o.async });
    } else {
      views.transcript.element.hidden = views.composer.element.hidden = true;
      views.form.show(o);
      memory.set('open', 'form');
      void askAvailability(o.queue ?? webchat.offline?.queue).then((a) => a?.form && views.form.setDeploymentFields(a.form.fields));
      offerLeaveMessage(o);
    }
  }

  function scheduleAutoInvite(): void {
    const autoInvite: Options = webchat.autoInvite || {};
    if (!autoInvite.enabled) return;
    setTimeout(
      () => {
        if (opened) return;
        showInvite();
        if (autoInvite.inviteTimeoutSeconds) setTimeout(() => views.invite.hide(), autoInvite.inviteTimeoutSeconds * 1000);
      },
      (autoInvite.timeToInviteSeconds ?? 5) * 1000,
    );
  }

  function showInvite(): void {
    if (opened) return;
    views.invite.show();
    if (webchat.chatButton?.hideDuringInvite !== false) views.chatButton.hide();
  }

  // ---- window ----
  function focusInside(): void {
    const { form, composer, transcript, header } = views;
    const target = !form.element.hidden ? form.firstInput() : !composer.element.hidden && !composer.input.disabled ? composer.input : transcript.element;
    (target || header.closeButton).focus();
  }

  function setMinimized(min: boolean): void {
    if (!opened || min === minimized) return;
    minimized = min;
    views.win.classList.toggle('pz-min', min);
    views.header.showMinimized(min);
    memory.set('minimized', min ? '1' : '');
    if (!min) {
      views.attention.seen();
      views.transcript.scrollToEnd();
    }
    ctx.publish(min ? 'minimized' : 'unminimized');
  }

  function showChat(): void {
    views.form.element.hidden = true;
    removeLeaveForm();
    views.transcript.element.hidden = views.composer.element.hidden = false;
    views.composer.setEnabled(chatActive);
  }

  function openWindow(o: Options, focus: boolean): void {
    opened = true;
    focusBeforeOpen = document.activeElement;
    views.invite.hide();
    views.chatButton.hide();
    views.win.hidden = false;
    openOptions = o;
    if (chatBegun || chatActive) showChat();
    else showStart(o);
    plugin.data?.('open', true);
    ctx.publish('opened');
    if (focus) focusInside();
  }

  function closeWindow(): void {
    if (!opened) return;
    const wasBegun = chatBegun;
    opened = chatBegun = false;
    setMinimized(false);
    minimized = false;
    views.win.hidden = true;
    views.confirm.hide();
    views.overlay.hidden = true;
    views.form.element.hidden = true;
    removeLeaveForm();
    clearChatView();
    views.attention.seen();
    memory.set('open', '');
    memory.set('minimized', '');
    memory.set('draft', '');
    plugin.data?.('open', false);
    if (!wasBegun) ctx.publish('cancelled');
    ctx.publish('closed');
    if (chatButtonEnabled || views.chatButton.everShown) views.chatButton.show(0);
    const back = !views.chatButton.element.hidden ? views.chatButton.element : focusBeforeOpen;
    if (back && back instanceof HTMLElement && back.isConnected) back.focus();
  }

  async function requestClose(): Promise<void> {
    if (!opened) throw 'already closed';
    if (!chatActive && !views.form.element.hidden && views.form.hasInput() && webchat.confirmFormCloseEnabled !== false) {
      if (!(await views.confirm.ask(t('ConfirmCloseForm'), t('ConfirmCloseConfirm'), t('ConfirmCloseCancel')))) throw 'Close cancelled by the user.';
    }
    if (chatActive) {
      if (webchat.confirmFormCloseEnabled !== false && !(await views.confirm.ask(t('ConfirmCloseWindow'), t('ConfirmCloseConfirm'), t('ConfirmCloseCancel')))) throw 'Close cancelled by the user.';
      await settle(ctx.command('WebChatService.endChat')).catch(() => undefined);
    }
    closeWindow();
  }

  // ---- chat lifecycle ----
  async function start(o: Options): Promise<boolean> {
    const options: Options = {};
    for (const k in o) if (o[k] !== undefined) options[k] = o[k];
    startOptions = options;
    try {
      await settle(ctx.command('WebChatService.startChat', options));
      onStarted(false);
      return true;
    } catch (err) {
      ctx.publish('rejected', err);
      if (views.form.element.hidden) views.transcript.systemLine(t('ChatError'));
      return false;
    }
  }

  function onStarted(restored: boolean): void {
    if (chatActive && chatBegun) return;
    chatActive = chatBegun = true;
    if (!opened) openWindow({}, false);
    showChat();
    views.composer.showEnded(false);
    memory.set('open', 'chat');
    if (restored) {
      views.composer.restoreText(memory.get('draft'));
      if (memory.get('minimized')) setMinimized(true);
    }
    if (!restored) {
      views.banner.hide();
      views.transcript.systemLine(t('ChatStarted'));
      if (views.win.contains(document.activeElement) || document.activeElement === document.body) views.composer.input.focus();
    }
    ctx.publish('started', restored ? { restored } : startOptions);
    if (!typingPreviewRegistered) {
      typingPreviewRegistered = true;
      ctx.command('WebChatService.registerTypingPreviewInput', { input: views.composer.input });
    }
  }

  function onEnded(): void {
    if (!chatActive) return;
    chatActive = false;
    views.transcript.hideTyping();
    views.composer.setEnabled(false);
    views.composer.showEnded(true);
    views.banner.hide();
    views.header.showAgent('');
    memory.set('draft', '');
    if (opened) {
      views.transcript.systemLine(t('ChatEnded'));
      views.announcer.say(t('ChatEnded'));
      showAfterChat();
    }
    ctx.publish('completed');
  }

  // ---- injectMessage ----
  function inject(o: Options): HTMLElement {
    if (!opened || !chatBegun) throw 'No chat session to inject into.';
    const style: Options = o.bubble || {};
    const content = (v: unknown): Node => (v instanceof Node ? v : o.type === 'html' ? sanitize(String(v ?? '')) : linkify(String(v ?? '')));
    let el: HTMLElement;
    if (o.custom != null) el = views.transcript.append(h('div', { class: 'pz-custom' }, o.custom instanceof Node ? o.custom : sanitize(String(o.custom))));
    else {
      const avatar = style.avatar && typeof style.avatar === 'object' && style.avatar.custom ? h('span', { class: 'pz-av', 'aria-hidden': 'true' }, content(style.avatar.custom)) : null;
      el = views.transcript.bubble({
        side: style.direction === 'right' ? 'me' : style.direction === 'none' ? 'none' : 'agent',
        name: style.name === false ? false : String(o.name ?? ''),
        time: style.time !== false,
        content: h('div', null, content(o.text)),
        fill: typeof style.fill === 'string' ? style.fill : undefined,
        radius: style.radius != null ? String(style.radius) : undefined,
        avatar,
      });
    }
    el.classList.add('pz-inj');
    ctx.publish('messageAdded', { data: o, message: o, originalMessage: o, html: el, index: undefined, id: undefined });
    return el;
  }

  // ---- commands (run once the DOM is built) ----
  const command = (name: string, run: (o: Options) => unknown) =>
    plugin.registerCommand(name, (e: CommandEvent) => {
      const execute = () => {
        try {
          Promise.resolve(run(e.data || {})).then(
            (v) => e.deferred.resolve(v),
            (err) => e.deferred.reject(err),
          );
        } catch (err) {
          e.deferred.reject(err);
        }
      };
      if (built) execute();
      else beforeBuild.push(execute);
    });

  command('open', (o) => {
    if (opened) throw 'already opened';
    openWindow(o, true);
  });
  command('close', requestClose);
  command('minimize', (o) => {
    if (!opened) throw 'WebChat is not open.';
    setMinimized(typeof o.minimized === 'boolean' ? o.minimized : !minimized);
  });
  command('endChat', () => settle(ctx.command('WebChatService.endChat')));
  command('invite', showInvite);
  command('reInvite', showInvite);
  command('injectMessage', inject);
  command('showOverlay', (o) => {
    if (!opened) throw 'WebChat is not open.';
    views.overlay.replaceChildren(o.html instanceof Node ? o.html : sanitize(String(o.html ?? '')));
    views.overlay.hidden = false;
    views.composer.element.classList.toggle('pz-off', !!o.hideFooter);
  });
  command('hideOverlay', () => {
    views.overlay.hidden = true;
    views.composer.element.classList.remove('pz-off');
  });
  command('showChatButton', (o) => {
    if (opened) throw 'WebChat is open.';
    views.chatButton.show(+o.openDelay || 0, +o.duration || 0);
  });
  command('hideChatButton', () => views.chatButton.hide());
  command('hide', () => (views.root.hidden = true));
  command('show', () => (views.root.hidden = false));
  plugin.registerEvents?.([
    'ready',
    'opened',
    'closed',
    'minimized',
    'unminimized',
    'cancelled',
    'completed',
    'messageAdded',
    'submitted',
    'rejected',
    'started',
    'chatButtonDisplayed',
    'messageLeft',
  ]);

  // ---- WebChatService events ----
  const on = (event: string, react: (e: BusEvent) => void) => plugin.subscribe('WebChatService.' + event, (e) => (built ? react(e) : beforeBuild.push(() => react(e))));
  on('messageReceived', (e) => views.transcript.addMessages(e.data || {}));
  on('started', () => onStarted(false));
  on('restored', () => onStarted(true));
  on('ended', onEnded);
  on('sessionLost', onEnded);
  on('uiEvent', (e) => {
    const d: Options = e.data || {};
    if (d.name === 'ui-event-update-promotion') views.banner.show(d.data || {}, !!d.restoring);
    else if (d.name === 'ui-event-close-promotion') views.banner.hide();
  });
  on('agentTypingStarted', (e) => views.transcript.showTyping(e.data?.from?.name || e.data?.name));
  on('agentTypingStopped', () => views.transcript.hideTyping());
  // the agent left: its banner (seed 004) and its name go with it
  on('agentDisconnected', (e) => {
    if (e.data?.numAgentsConnected) return;
    views.banner.hide();
    views.header.showAgent('');
  });
  on('agentTypingTimeout', () => views.transcript.hideTyping());
  plugin.subscribe('App.themeChanged', (e) => {
    main.theme = e.data?.theme;
    if (built) views.root.className = rootClass() + (views.root.classList.contains('pz-mob') ? ' pz-mob' : '');
  });
  const showOffline = () => {
    views.connection.textContent = t('Reconnecting');
    views.connection.hidden = false;
  };
  const showOnline = () => {
    views.connection.hidden = true;
    views.connection.textContent = '';
  };
  for (const event of ['disconnected', 'chatServerWentOffline']) on(event, showOffline);
  for (const event of ['reconnected', 'chatServerBackOnline', 'ended', 'sessionLost', 'started', 'restored']) on(event, showOnline);

  // ---- start-up ----
  const boot = async () => {
    if (typeof main.i18n === 'string') {
      try {
        texts = strings(main.lang, await (await fetch(main.i18n)).json());
      } catch {
        /* keep the built-in strings */
      }
    }
    if (!document.body) await new Promise((r) => addEventListener('DOMContentLoaded', r, { once: true }));
    build();
    plugin.republish('ready');
    plugin.ready();
  };
  void boot();
}
