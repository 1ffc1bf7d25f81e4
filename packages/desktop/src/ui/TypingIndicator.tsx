import type { Conversation } from '../state/desktop.js';
import { useNow } from './useNow.js';

/** "Jonny is typing…" while a TypingStarted is not yet followed by TypingStopped or a message. */
export function TypingIndicator({ conversation }: { conversation: Conversation }) {
  const now = useNow(2000);
  const who = conversation.transcript.typingNow(now);
  return (
    <p class="typing" aria-live="off">
      {who.length > 0 ? `${who.map((t) => t.nickname).join(', ')} ${who.length > 1 ? 'are' : 'is'} typing…` : ' '}
    </p>
  );
}
