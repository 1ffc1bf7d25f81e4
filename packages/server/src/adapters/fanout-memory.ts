import type { Fanout } from '../ports/fanout.js';

/** In-process fan-out for a single node. */
export class MemoryFanout implements Fanout {
  /** Nothing is ever lost in-process: readers need no re-check timer. */
  readonly recheckMs = Number.POSITIVE_INFINITY;

  private readonly listeners = new Map<string, Set<(data?: string) => void>>();

  async notify(topic: string, data?: string): Promise<void> {
    for (const fn of this.listeners.get(topic) ?? []) fn(data);
  }

  listen(topic: string, onNotify: (data?: string) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(onNotify);
    return () => {
      set!.delete(onNotify);
      if (set!.size === 0) this.listeners.delete(topic);
    };
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
