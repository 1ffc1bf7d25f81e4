import { h } from '../dom.js';

/** A polite live region for screen readers; keeps the last three announcements. */
export interface Announcer {
  element: HTMLDivElement;
  say(text: string): void;
}

export function createAnnouncer(): Announcer {
  const element = h('div', { class: 'pz-sr', 'aria-live': 'polite' });
  return {
    element,
    say(text) {
      element.appendChild(h('p', null, text));
      while (element.childNodes.length > 3) element.firstChild!.remove();
    },
  };
}
