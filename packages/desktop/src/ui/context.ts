import { createContext } from 'preact';
import { useContext, useEffect, useReducer } from 'preact/hooks';
import type { Desktop, DesktopState } from '../state/desktop.js';

export const DesktopContext = createContext<Desktop | null>(null);

/** The desktop and its current state; re-renders the component on every change. */
export function useDesktop(): [Desktop, DesktopState] {
  const desktop = useContext(DesktopContext);
  if (!desktop) throw new Error('useDesktop outside DesktopContext');
  const [, bump] = useReducer<number, void>((n) => n + 1, 0);
  const seen = desktop.version;
  useEffect(() => {
    const off = desktop.subscribe(() => bump());
    // A change between this render and the subscription (e.g. boot() right after render) is not lost.
    if (desktop.version !== seen) bump();
    return off;
  }, [desktop]);
  return [desktop, desktop.state];
}
