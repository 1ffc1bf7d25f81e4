/** Keyboard shortcuts of the desktop (documented in README.md and the in-app help). */
export type ShortcutAction =
  | 'accept-offer'
  | 'reject-offer'
  | 'toggle-internal'
  | 'focus-composer'
  | 'canned'
  | 'done'
  | 'transfer'
  | 'help'
  | { tab: number };

export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'Alt+A', what: 'Accept the oldest offer' },
  { keys: 'Alt+R', what: 'Reject the oldest offer' },
  { keys: 'Ctrl+Enter', what: 'Send the message (in the composer)' },
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

/** Composer: Ctrl+Enter (Cmd+Enter on macOS) sends. */
export function isSendKey(e: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return e.key === 'Enter' && (e.ctrlKey || e.metaKey);
}
