import { h, icon, sanitize } from '../dom.js';
import { ICON_CHAT } from '../icons.js';
import type { UiContext } from '../context.js';

/** The floating chat button (`webchat.chatButton`: enabled, openDelay, effect, effectDuration). */
export interface ChatButtonView {
  element: HTMLButtonElement;
  /** Shows the button after `delay` ms, for `duration` ms (0: until hidden). */
  show(delay?: number, duration?: number): void;
  hide(): void;
  /** The button was shown at least once (so closing the window brings it back). */
  readonly everShown: boolean;
}

export function createChatButton(ctx: UiContext, isWindowOpen: () => boolean): ChatButtonView {
  const options = ctx.webchat.chatButton || {};
  // `template`: the page's own markup for the button, kept to the safe subset
  const content = typeof options.template === 'string' && options.template.trim() ? sanitize(options.template) : [icon(ICON_CHAT), h('span', null, ctx.text('ChatButton'))];
  const element = h('button', { type: 'button', class: `pz-cb pz-${options.effect === 'slide' ? 'slide' : 'fade'}`, hidden: true });
  element.append(...(content instanceof DocumentFragment ? [content] : content));
  element.style.transitionDuration = `${+options.effectDuration || 300}ms`;
  element.onclick = () => ctx.command('WebChat.open');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let everShown = false;

  function hide(): void {
    clearTimeout(timer);
    element.classList.remove('pz-on');
    element.hidden = true;
  }

  function show(delay = 0, duration = 0): void {
    clearTimeout(timer);
    const reveal = () => {
      if (isWindowOpen()) return;
      element.hidden = false;
      everShown = true;
      void element.offsetWidth; // start the transition from the hidden style
      element.classList.add('pz-on');
      ctx.publish('chatButtonDisplayed');
      if (duration) timer = setTimeout(hide, duration);
    };
    if (delay > 0) timer = setTimeout(reveal, delay);
    else reveal();
  }

  return {
    element,
    show,
    hide,
    get everShown() {
      return everShown;
    },
  };
}
