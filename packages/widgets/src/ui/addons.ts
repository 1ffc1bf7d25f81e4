import type { AfterChatOptions, LeaveMessageOptions } from '../addons/extras.js';
import { transportFileUrl } from '../transports/transport.js';

/**
 * Parts of the UI that only some pages use, each in its own file loaded on first use
 * (dist/addons/<name>.min.js, next to dist/transports/): the emoji picker (`webchat.emojis`) and
 * the markdown renderer (`webchat.markdown`), the survey, transcript and leave-a-message forms
 * (`extras`). A loaded file registers itself on `ParleyAddons`.
 */
export interface Addons {
  emoji?: { open(anchor: HTMLElement, insert: (text: string) => void, label: string): void };
  markdown?: { render(text: string): DocumentFragment };
  extras?: { afterChat(o: AfterChatOptions): HTMLElement; leaveMessage(o: LeaveMessageOptions): HTMLElement };
}

const registry = (): Addons => ((globalThis as any).ParleyAddons ??= {});
const loading: Record<string, Promise<Addons> | undefined> = {};

export function loadAddon(name: keyof Addons): Promise<Addons> {
  if (registry()[name]) return Promise.resolve(registry());
  return (loading[name] ??= new Promise<Addons>((resolve, reject) => {
    const el = document.createElement('script');
    el.src = transportFileUrl('../addons/' + name);
    el.async = true;
    el.onload = () => (registry()[name] ? resolve(registry()) : reject(new Error(name + ' did not register')));
    el.onerror = () => {
      el.remove();
      loading[name] = undefined;
      reject(new Error('could not load ' + el.src));
    };
    document.head.appendChild(el);
  }));
}
