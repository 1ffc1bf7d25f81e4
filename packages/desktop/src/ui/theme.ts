import { useLayoutEffect } from 'preact/hooks';
import type { Theme } from '../state/preferences.js';

/** Puts the agent's theme on <html data-theme>; without the attribute app.css follows the system setting. */
export function useThemeAttribute(theme: Theme): void {
  // Before paint, so a chosen theme does not flash the other one on load.
  useLayoutEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
}
