import { richContent, type MessageType, type RichContent } from '@parley/protocol';
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
