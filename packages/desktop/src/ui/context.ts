import { createContext } from 'preact';
import { useContext, useEffect, useReducer } from 'preact/hooks';
import type { Desktop, DesktopState } from '../state/desktop.js';

export const DesktopContext = createContext<Desktop | null>(null);

/** The desktop and its current state; re-renders the component on every change. */
export function useDesktop(): [Desktop, DesktopState] {
  const desktop = useContext(DesktopContext);
  if (!desktop) throw new Error('useDesktop outside DesktopContext');
  const [, bump] = useReducer<number, void>((n) => n + 1, 0);
  useEffect(() => desktop.subscribe(() => bump()), [desktop]);
  return [desktop, desktop.state];
}
