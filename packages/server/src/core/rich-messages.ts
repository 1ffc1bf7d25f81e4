import { richContent, richMessageText, type MessageType, type RichContent } from '@parley/protocol';
import { ChatError } from './errors.js';

/**
 * The one check of rich content a staff member or workflow sends (docs/rich-messages.md): only on a
 * Text message, and only what the protocol schema accepts (bounded sizes, http(s) links), whoever
 * the caller and whatever its API parsed before.
 */
export function richOfSend(type: MessageType, rich: unknown): RichContent {
  if (type !== 'Text') throw new ChatError('INVALID_REQUEST', 'rich content goes on a Text message');
  const parsed = richContent.safeParse(rich);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ChatError('INVALID_REQUEST', `rich.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** A message's text and data when it carries rich content (the text written from the content when none is given), or null without. */
export function richSend(type: MessageType, text: string | undefined, rich: unknown): { text: string; data: { rich: RichContent } } | null {
  if (rich === undefined) return null;
  const content = richOfSend(type, rich);
  return { text: richMessageText(text, content), data: { rich: content } };
}
