import { h, icon } from '../dom.js';
import { iconButton, type UiContext } from '../context.js';
import { ICON_CLOSE, ICON_MAXIMIZE, ICON_MINIMIZE } from '../icons.js';

/** The window's title bar: title, minimize/restore and close. */
export interface WindowHeaderView {
  element: HTMLDivElement;
  titleId: string;
  minimizeButton: HTMLButtonElement;
  closeButton: HTMLButtonElement;
  showMinimized(minimized: boolean): void;
}

export function createWindowHeader(ctx: UiContext): WindowHeaderView {
  const titleId = ctx.uniqueId('t');
  const title = h('h2', { id: titleId }, ctx.text('ChatTitle'));
  const minimizeButton = iconButton('pz-ib', ctx.text('AriaMinimize'), ICON_MINIMIZE);
  minimizeButton.setAttribute('aria-expanded', 'true');
  const closeButton = iconButton('pz-ib', ctx.text('AriaClose'), ICON_CLOSE);
  minimizeButton.onclick = () => ctx.command('WebChat.minimize');
  closeButton.onclick = () => ctx.command('WebChat.close');
  return {
    element: h('div', { class: 'pz-hd' }, title, minimizeButton, closeButton),
    titleId,
    minimizeButton,
    closeButton,
    showMinimized(minimized) {
      minimizeButton.setAttribute('aria-expanded', String(!minimized));
      minimizeButton.replaceChildren(icon(minimized ? ICON_MAXIMIZE : ICON_MINIMIZE));
      minimizeButton.title = ctx.text(minimized ? 'AriaMaximize' : 'AriaMinimize');
      minimizeButton.setAttribute('aria-label', minimizeButton.title);
    },
  };
}
