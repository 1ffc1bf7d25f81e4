import { settle, type UiContext } from './context.js';
import type { ComposerView } from './views/composer.js';
import type { OwnMessage, TranscriptView } from './views/transcript.js';

/**
 * Sends the customer's text, shown at once with its delivery state (sending, sent). A failure
 * keeps the whole text: the message is marked "Not sent" with Retry, the text goes back into the
 * box, and sending the same text again (Retry or the box) replaces the failed message.
 */
export interface Delivery {
  send(text: string): void;
  /** A new chat or a closed window: failed messages are gone with their transcript. */
  clear(): void;
}

export function createDelivery(ctx: UiContext, views: { transcript: TranscriptView; composer: ComposerView; announce(text: string): void }, chatActive: () => boolean): Delivery {
  const failed = new Map<string, OwnMessage>();

  function send(text: string, shown?: OwnMessage): void {
    const previous = failed.get(text);
    failed.delete(text);
    if (previous && previous !== shown) previous.element.remove();
    const own = shown ?? views.transcript.addOwn(text);
    own.setState('sending');
    settle(ctx.command('WebChatService.sendMessage', { message: text })).then(
      () => own.setState('sent'),
      () => {
        failed.set(text, own);
        own.setState('failed', () => {
          if (views.composer.input.value.trim() === text) views.composer.input.value = '';
          if (chatActive()) send(text, own);
        });
        views.composer.restoreText(text);
        views.announce(ctx.text('MessageFailed'));
      },
    );
  }

  return { send: (text) => send(text), clear: () => failed.clear() };
}
