import { add, h } from '../dom.js';
import { iconButton, settle, type UiContext } from '../context.js';
import { ICON_ATTACH, ICON_SEND } from '../icons.js';

/**
 * The message box under the transcript: textarea (Enter sends, Shift+Enter is a new line),
 * send button, optional file button (`webchat.uploadsEnabled`) and character count
 * (`webchat.charCountEnabled` with `maxMessageLength`).
 */
export interface ComposerView {
  element: HTMLDivElement;
  input: HTMLTextAreaElement;
  setEnabled(on: boolean): void;
}

export interface ComposerDeps {
  chatActive(): boolean;
  /** A system line in the transcript. */
  notice(text: string): void;
}

export function createComposer(ctx: UiContext, deps: ComposerDeps): ComposerView {
  const { webchat } = ctx;
  const input = h('textarea', { rows: 1, 'aria-label': ctx.text('AriaMessageInput'), placeholder: ctx.text('ChatInputPlaceholder') });
  const maxLength = +webchat.maxMessageLength || 0;
  if (maxLength) input.maxLength = maxLength;
  const sendButton = iconButton('pz-ib pz-send', ctx.text('ChatInputSend'), ICON_SEND);
  const element = h('div', { class: 'pz-ft', hidden: true });
  let fileButton: HTMLButtonElement | null = null;
  let fileInput: HTMLInputElement | null = null;
  let counter: HTMLSpanElement | null = null;

  if (webchat.uploadsEnabled) {
    const picker = h('input', { type: 'file', hidden: true, tabindex: -1, 'aria-hidden': 'true', accept: 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain' });
    fileInput = picker;
    fileButton = iconButton('pz-ib', ctx.text('ActionsSendFile'), ICON_ATTACH);
    fileButton.onclick = () => picker.click();
    picker.onchange = () => {
      if (!picker.files?.length) return;
      settle(ctx.command('WebChatService.sendFile', { files: picker }))
        .catch(() => deps.notice(ctx.text('FileTransferError')))
        .finally(() => (picker.value = ''));
    };
  }
  if (webchat.charCountEnabled && maxLength) {
    const count = h('span', { class: 'pz-cc', 'aria-hidden': 'true' }, String(maxLength));
    counter = count;
    input.addEventListener('input', () => (count.textContent = String(maxLength - input.value.length)));
  }
  add(element, fileButton, fileInput, input, counter, sendButton);

  function send(): void {
    const text = input.value.trim();
    if (!text || !deps.chatActive()) return;
    input.value = '';
    if (counter) counter.textContent = String(maxLength);
    input.style.height = '';
    settle(ctx.command('WebChatService.sendMessage', { message: text })).catch(() => {
      deps.notice(ctx.text('MessageFailed'));
      if (!input.value) input.value = text; // give the text back to retry
    });
  }

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  sendButton.onclick = send;
  input.addEventListener('input', () => {
    input.style.height = '';
    input.style.height = Math.min(input.scrollHeight + 2, 120) + 'px';
  });

  return {
    element,
    input,
    setEnabled(on) {
      input.disabled = sendButton.disabled = !on;
      if (fileButton) fileButton.disabled = !on;
    },
  };
}
