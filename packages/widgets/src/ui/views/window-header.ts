import { h, icon, safeUrl } from '../dom.js';
import { fill } from '../i18n.js';
import { iconButton, type UiContext } from '../context.js';
import { ICON_CLOSE, ICON_MAXIMIZE, ICON_MINIMIZE } from '../icons.js';

/** The window's title bar: title (with the agent's name and avatar once one joined), unread count, minimize/restore and close. */
export interface WindowHeaderView {
  element: HTMLDivElement;
  titleId: string;
  minimizeButton: HTMLButtonElement;
  closeButton: HTMLButtonElement;
  showMinimized(minimized: boolean): void;
  /** The agent the customer talks to ('' for none). */
  showAgent(name: string): void;
  showUnread(count: number): void;
}

export function createWindowHeader(ctx: UiContext): WindowHeaderView {
  const titleId = ctx.uniqueId('t');
  const agent = h('span', { class: 'pz-agt', hidden: true });
  const title = h('h2', { id: titleId }, ctx.text('ChatTitle'), agent);
  const avatarUrl = safeUrl(ctx.webchat.agentAvatar);
  const avatar = avatarUrl ? h('img', { class: 'pz-hav', src: avatarUrl, alt: '', hidden: true }) : null;
  if (avatar) avatar.onerror = () => avatar.remove(); // a broken image says nothing
  const unread = h('span', { class: 'pz-unr', hidden: true });
  const minimizeButton = iconButton('pz-ib', ctx.text('AriaMinimize'), ICON_MINIMIZE);
  minimizeButton.setAttribute('aria-expanded', 'true');
  const closeButton = iconButton('pz-ib', ctx.text('AriaClose'), ICON_CLOSE);
  minimizeButton.onclick = () => ctx.command('WebChat.minimize');
  closeButton.onclick = () => ctx.command('WebChat.close');
  return {
    element: h('div', { class: 'pz-hd' }, avatar, title, unread, minimizeButton, closeButton),
    titleId,
    minimizeButton,
    closeButton,
    showMinimized(minimized) {
      minimizeButton.setAttribute('aria-expanded', String(!minimized));
      minimizeButton.replaceChildren(icon(minimized ? ICON_MAXIMIZE : ICON_MINIMIZE));
      minimizeButton.title = ctx.text(minimized ? 'AriaMaximize' : 'AriaMinimize');
      minimizeButton.setAttribute('aria-label', minimizeButton.title);
    },
    showAgent(name) {
      agent.textContent = name;
      agent.hidden = !name;
      if (avatar) avatar.hidden = !name;
    },
    showUnread(count) {
      unread.hidden = !count;
      unread.textContent = count ? String(count) : '';
      unread.setAttribute('aria-label', fill(ctx.text('AriaUnread'), { Count: String(count) }));
      unread.setAttribute('role', 'img');
    },
  };
}
