/** The agent's own settings, kept in the browser (localStorage) across sign-ins. */
export interface Preferences {
  /** Enter sends and Shift+Enter makes a new line; off: only Ctrl+Enter sends. */
  enterSends: boolean;
  /** Browser notifications for offers and messages while the tab is hidden. */
  notifications: boolean;
  /** A sound with new offers and messages. */
  sound: boolean;
  /** Colours: follow the system's light/dark setting, or always light or dark. */
  theme: Theme;
}

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const DEFAULT_PREFERENCES: Preferences = { enterSends: true, notifications: true, sound: true, theme: 'system' };
const FLAGS = ['enterSends', 'notifications', 'sound'] as const;
const KEY = 'parley.desktop.preferences';

export function loadPreferences(storage: Pick<Storage, 'getItem'> | null): Preferences {
  try {
    const raw = storage?.getItem(KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<Record<keyof Preferences, unknown>>) : {};
    const out = { ...DEFAULT_PREFERENCES };
    for (const k of FLAGS) if (typeof saved[k] === 'boolean') out[k] = saved[k] as boolean;
    if (THEMES.includes(saved.theme as Theme)) out.theme = saved.theme as Theme;
    return out;
  } catch {
    return { ...DEFAULT_PREFERENCES };
  }
}

export function savePreferences(storage: Pick<Storage, 'setItem'> | null, p: Preferences): void {
  try {
    storage?.setItem(KEY, JSON.stringify(p));
  } catch {
    /* storage full or blocked: the setting lasts for this page only */
  }
}
