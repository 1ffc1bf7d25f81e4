/** Keyboard shortcuts of the desktop (documented in README.md and the in-app help). */
export type ShortcutAction = 'accept-offer' | 'reject-offer' | 'toggle-internal' | 'focus-composer' | 'canned' | 'done' | 'transfer' | 'help' | { tab: number };

export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'Alt+A', what: 'Accept the oldest offer' },
  { keys: 'Alt+R', what: 'Reject the oldest offer' },
  { keys: 'Enter', what: 'Send the message (Shift+Enter: new line); with "Enter sends" off, Enter makes a new line' },
  { keys: 'Ctrl+Enter', what: 'Send the message (in the composer), whatever the setting' },
  { keys: '/', what: 'In an empty composer: search canned responses' },
  { keys: 'Alt+I', what: 'Toggle "Internal note" on the composer' },
  { keys: 'Alt+M', what: 'Move focus to the composer' },
  { keys: 'Alt+C', what: 'Open canned responses' },
  { keys: 'Alt+D', what: 'Mark the current interaction done (wrap-up)' },
  { keys: 'Alt+T', what: 'Transfer the current interaction' },
  { keys: 'Alt+1 … Alt+9', what: 'Go to conversation tab 1 … 9' },
  { keys: 'Alt+H', what: 'Show this list of shortcuts' },
  { keys: 'Escape', what: 'Close a dialog or picker' },
];

/** Maps a keydown to a desktop shortcut (by physical key, so it works on every layout and on macOS). */
export function shortcutFor(e: { altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; code: string }): ShortcutAction | null {
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  const digit = /^Digit([1-9])$/.exec(e.code);
  if (digit) return { tab: Number(digit[1]) };
  switch (e.code) {
    case 'KeyA':
      return 'accept-offer';
    case 'KeyR':
      return 'reject-offer';
    case 'KeyI':
      return 'toggle-internal';
    case 'KeyM':
      return 'focus-composer';
    case 'KeyC':
      return 'canned';
    case 'KeyD':
      return 'done';
    case 'KeyT':
      return 'transfer';
    case 'KeyH':
      return 'help';
    default:
      return null;
  }
}

/**
 * Composer: with "Enter sends" (the default, as in every chat tool) Enter sends and Shift+Enter makes
 * a new line; without it Enter makes a new line. Ctrl+Enter (Cmd+Enter on macOS) sends either way.
 * A key pressed while an input method composes text never sends.
 */
export function isSendKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey?: boolean; altKey?: boolean; isComposing?: boolean }, enterSends = false): boolean {
  if (e.key !== 'Enter' || e.isComposing) return false;
  if (e.ctrlKey || e.metaKey) return true;
  return enterSends && !e.shiftKey && !e.altKey;
}
