import { h, linkify } from './dom.js';
import { loadAddon } from './addons.js';

/**
 * How agent and bot text is shown: plain text with safe links, or with `webchat.markdown` the
 * markdown add-on (loaded at start-up). Text shown before the add-on arrived is upgraded once it is there.
 */
export function createAgentText(markdownEnabled: boolean): (text: string) => Node {
  let markdown: ((text: string) => DocumentFragment) | undefined;
  const awaiting: [HTMLElement, string][] = [];
  if (markdownEnabled)
    void loadAddon('markdown').then(
      (addons) => {
        const render = (markdown = addons.markdown!.render);
        for (const [el, text] of awaiting.splice(0)) el.replaceChildren(render(text));
      },
      () => undefined, // not loaded: the text stays plain
    );
  return (text) => {
    if (markdown) return h('div', { class: 'pz-md' }, markdown(text));
    if (!markdownEnabled) return linkify(text);
    const plain = h('div', { class: 'pz-md' }, linkify(text));
    awaiting.push([plain, text]);
    return plain;
  };
}
