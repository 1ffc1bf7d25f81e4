import { useEffect } from 'preact/hooks';

/** Commands raised by keyboard shortcuts and handled by whichever component owns them. */
export type Command = 'toggle-internal' | 'focus-composer' | 'canned' | 'done' | 'transfer' | 'help';

const handlers = new Map<Command, Set<() => void>>();

export function emit(cmd: Command): boolean {
  const set = handlers.get(cmd);
  if (!set || set.size === 0) return false;
  for (const fn of set) fn();
  return true;
}

/** Handles a command while the component is mounted. */
export function useCommand(cmd: Command, fn: () => void): void {
  useEffect(() => {
    let set = handlers.get(cmd);
    if (!set) handlers.set(cmd, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }, [cmd, fn]);
}
