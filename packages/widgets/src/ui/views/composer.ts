import { add, h } from '../dom.js';
import { fill } from '../i18n.js';
import { iconButton, settle, type UiContext } from '../context.js';
import { ICON_ATTACH, ICON_EMOJI, ICON_MORE, ICON_SEND } from '../icons.js';

/**
 * The message box under the transcript: textarea (Enter sends, Shift+Enter is a new line), send
 * button, optional file button (`uploadsEnabled`), emoji picker (`emojis`, loaded on demand), both
 * behind a menu with `actionsMenu`, and the length limit (`maxMessageLength`): a warning as it
 * nears, a refusal with a message past it (the text is never cut). Once the chat ended it says so
 * and offers "Start a new chat".
 */
export interface ComposerView {
  element: HTMLDivElement;
  input: HTMLTextAreaElement;
  setEnabled(on: boolean): void;
  /** Puts text in the box (a restored draft, a failed send) unless the visitor typed something else. */
  restoreText(text: string): void;
  showEnded(ended: boolean): void;
}

export interface ComposerDeps {
  chatActive(): boolean;
  /** Sends the customer's text (the transcript shows its delivery state). */
  send(text: string): void;
  /** A system line in the transcript. */
  notice(text: string): void;
  /** Says something to screen readers. */
  announce(text: string): void;
  startNewChat(): void;
  draftChanged(text: string): void;
  /** Opens the emoji picker (loaded on demand) that inserts into the box. */
  pickEmoji(anchor: HTMLElement, insert: (text: string) => void): void;
}

export function createComposer(ctx: UiContext, deps: ComposerDeps): ComposerView {
  const { webchat } = ctx;
  const t = ctx.text;
  const limitId = ctx.uniqueId('lim');
  const input = h('textarea', { rows: 1, 'aria-label': t('AriaMessageInput'), placeholder: t('ChatInputPlaceholder'), 'aria-describedby': limitId });
  const maxLength = +webchat.maxMessageLength || 0;
  const sendButton = iconButton('pz-ib pz-send', t('ChatInputSend'), ICON_SEND);
  const limit = h('p', { class: 'pz-lim', id: limitId, hidden: true });
  const newChat = h('button', { type: 'button', class: 'pz-pri pz-new', hidden: true }, t('ChatNew'));
  newChat.onclick = deps.startNewChat;
  const row = h('div', { class: 'pz-row2' });
  const element = h('div', { class: 'pz-ft', hidden: true }, limit, row, newChat);
  const actions: HTMLButtonElement[] = [];
  let fileInput: HTMLInputElement | null = null;
  let counter: HTMLSpanElement | null = null;

  if (webchat.uploadsEnabled) {
    // what the server accepts by default (UPLOAD_TYPES, MAX_UPLOAD_BYTES); one file at a time
    const types = String(webchat.uploadTypes || 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain');
    const maxBytes = +webchat.maxUploadBytes || 5 * 1024 * 1024;
    const picker = h('input', { type: 'file', hidden: true, tabindex: -1, 'aria-hidden': 'true', accept: types });
    fileInput = picker;
    const fileButton = iconButton('pz-ib', t('ActionsSendFile'), ICON_ATTACH);
    fileButton.onclick = () => picker.click();
    /** Why the file is refused, said before sending it or from the server's answer. */
    const refusal = (file: File, answer?: { httpStatus?: number; status?: { code?: string } }): string => {
      const name = { Name: file.name, Max: `${Math.round(maxBytes / 1024 / 102.4) / 10} MB` };
      if (file.size > maxBytes || answer?.httpStatus === 413) return fill(t('FileTooLarge'), name);
      if (!types.split(',').includes(file.type)) return fill(t('FileTypeRefused'), name);
      if (answer?.status?.code === 'UNSUPPORTED_MEDIA_TYPE') return fill(t('FileContentRefused'), name);
      return answer ? t('FileTransferError') : '';
    };
    picker.onchange = () => {
      const file = picker.files?.[0];
      if (!file) return;
      const before = refusal(file);
      if (before) {
        picker.value = '';
        return deps.notice(before);
      }
      settle(ctx.command('WebChatService.sendFile', { files: picker }))
        .catch((answer) => deps.notice(refusal(file, answer && typeof answer === 'object' ? answer : {})))
        .finally(() => (picker.value = ''));
    };
    actions.push(fileButton);
  }
  if (webchat.emojis) {
    const emojiButton = iconButton('pz-ib', t('ActionsEmoji'), ICON_EMOJI);
    emojiButton.onclick = () => deps.pickEmoji(emojiButton, insert);
    actions.push(emojiButton);
  }
  let menuButton: HTMLButtonElement | null = null;
  if (webchat.actionsMenu && actions.length) {
    // Genesys' actions menu: the actions behind one button, shown above the box
    const menu = h('div', { class: 'pz-menu', hidden: true }, ...actions);
    const toggle = iconButton('pz-ib', t('ActionsMenu'), ICON_MORE);
    menuButton = toggle;
    toggle.setAttribute('aria-expanded', 'false');
    const show = (open: boolean) => {
      menu.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
    };
    toggle.onclick = () => show(menu.hidden);
    menu.addEventListener('click', () => show(false));
    menu.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      show(false);
      toggle.focus();
    });
    add(row, toggle, menu);
  } else add(row, ...actions);
  if (webchat.charCountEnabled && maxLength) counter = h('span', { class: 'pz-cc', 'aria-hidden': 'true' }, String(maxLength));
  add(row, fileInput, input, counter, sendButton);

  function fit(): void {
    input.style.height = '';
    input.style.height = Math.min(input.scrollHeight + 2, 120) + 'px';
  }

  /** The limit's warning as it nears (the last 10%, at least 10 characters) and its refusal past it. */
  function showLimit(refused = false): void {
    if (counter) counter.textContent = String(maxLength - input.value.length);
    if (!maxLength) return;
    const left = maxLength - input.value.length;
    const over = left < 0;
    limit.hidden = left > Math.max(10, Math.round(maxLength / 10));
    limit.classList.toggle('pz-over', over);
    limit.textContent = over ? fill(t('MessageTooLong'), { Count: String(-left) }) : fill(t('CharsLeft'), { Count: String(left) });
    input.toggleAttribute('aria-invalid', over);
    if (refused) deps.announce(limit.textContent);
  }

  function insert(text: string): void {
    const at = input.selectionStart ?? input.value.length;
    input.setRangeText(text, at, input.selectionEnd ?? at, 'end');
    input.focus();
    changed();
  }

  function changed(): void {
    fit();
    showLimit();
    deps.draftChanged(input.value);
  }

  function send(): void {
    const text = input.value.trim();
    if (!text || !deps.chatActive()) return;
    if (maxLength && text.length > maxLength) return showLimit(true);
    input.value = '';
    changed();
    deps.send(text);
  }

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  sendButton.onclick = send;
  input.addEventListener('input', changed);

  return {
    element,
    input,
    setEnabled(on) {
      input.disabled = sendButton.disabled = !on;
      for (const b of actions) b.disabled = !on;
      if (menuButton) menuButton.disabled = !on;
    },
    restoreText(text) {
      if (input.value) return;
      input.value = text;
      changed();
    },
    showEnded(ended) {
      element.classList.toggle('pz-ended', ended);
      input.placeholder = t(ended ? 'ChatEndedInput' : 'ChatInputPlaceholder');
      newChat.hidden = !ended;
    },
  };
}
