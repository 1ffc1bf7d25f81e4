import { add, h, link, safeUrl } from '../dom.js';
import { settle, type Options, type UiContext } from '../context.js';
import type { Announcer } from './announcer.js';

/**
 * Seed 004's banner above the transcript (`ui-event-update-promotion` / `ui-event-close-promotion`):
 * a title and one control per option; a text option sends its text as the customer, a URL option
 * is a safe link. Everything from the flow is rendered as text.
 */
export interface BannerView {
  element: HTMLDivElement;
  /** Shows the promotion `data` ({title, options}); `quiet` (a restore) does not announce it. */
  show(data: Options, quiet: boolean): void;
  hide(): void;
}

export interface BannerDeps {
  announcer: Announcer;
  chatActive(): boolean;
  /** Where focus goes when the banner had it and goes away (or has no control to take it). */
  focusAfter(): void;
  /** Says that the option's text could not be sent. */
  sendFailed(): void;
  composer(): HTMLElement;
  /** The banner appeared, changed or went: the transcript keeps showing its newest line. */
  resized(): void;
}

export function createBanner(ctx: UiContext, deps: BannerDeps): BannerView {
  const element = h('div', { class: 'pz-bn', role: 'region', hidden: true });

  function primary<T extends HTMLElement>(el: T): T {
    el.className = 'pz-pri';
    return el;
  }

  function optionControl(option: Options): HTMLElement | null {
    if (!option || typeof option !== 'object') return null;
    const title = String(option.title || '').trim();
    if (option.url != null) {
      const url = safeUrl(option.url);
      return url ? primary(link(url, title || String(option.text || '').trim() || url)) : null;
    }
    if (typeof option.text !== 'string' || !option.text.trim()) return null;
    // the flow's wording; without one, what the option does (seed 004: back to the bot)
    const button = primary(h('button', { type: 'button' }, title || ctx.text('BannerBackToBot')));
    let sending = false; // not disabled: the button keeps focus
    button.onclick = () => {
      if (sending || !deps.chatActive()) return;
      sending = true;
      settle(ctx.command('WebChatService.sendMessage', { message: option.text }))
        .catch(deps.sendFailed)
        .finally(() => (sending = false));
    };
    return button;
  }

  function hide(): void {
    if (element.hidden) return;
    const hadFocus = element.contains(document.activeElement);
    element.hidden = true;
    element.replaceChildren();
    if (hadFocus) deps.focusAfter();
    deps.resized();
  }

  function show(data: Options, quiet: boolean): void {
    const title = typeof data.title === 'string' ? data.title.trim() : '';
    const controls = (Array.isArray(data.options) ? data.options : []).map(optionControl).filter((c): c is HTMLElement => !!c);
    if (!title && !controls.length) return hide();
    const hadFocus = element.contains(document.activeElement);
    const titleId = ctx.uniqueId('bn');
    element.replaceChildren();
    add(element, title && h('p', { id: titleId }, title), controls.length ? h('div', { class: 'pz-row' }, ...controls) : null);
    if (title) {
      element.setAttribute('aria-labelledby', titleId);
      element.removeAttribute('aria-label');
    } else {
      element.setAttribute('aria-label', ctx.text('AriaBanner'));
      element.removeAttribute('aria-labelledby');
    }
    element.hidden = false;
    deps.resized();
    if (hadFocus) (controls[0] || deps.composer()).focus();
    if (!quiet) deps.announcer.say([title, ...controls.map((c) => c.textContent)].filter(Boolean).join(' '));
  }

  return { element, show, hide };
}
