import { add, h } from '../dom.js';
import type { UiContext } from '../context.js';

/** The proactive invite card ("Need help?"), shown by `WebChat.invite` or `webchat.autoInvite`. */
export interface InviteView {
  element: HTMLDivElement;
  show(): void;
  hide(): void;
}

export function createInvite(ctx: UiContext, onReject: () => void): InviteView {
  const titleId = ctx.uniqueId('it');
  const element = h('div', { class: 'pz-inv pz-card', role: 'dialog', 'aria-labelledby': titleId, hidden: true });
  const accept = h('button', { type: 'button', class: 'pz-pri' }, ctx.text('InviteAccept'));
  const reject = h('button', { type: 'button', class: 'pz-sec' }, ctx.text('InviteReject'));
  accept.onclick = () => {
    element.hidden = true;
    ctx.command('WebChat.open');
  };
  reject.onclick = () => {
    element.hidden = true;
    onReject();
  };
  element.onkeydown = (e) => e.key === 'Escape' && reject.click();
  add(element, h('h2', { id: titleId }, ctx.text('InviteTitle')), h('p', null, ctx.text('InviteBody')), h('div', { class: 'pz-row' }, reject, accept));
  return {
    element,
    show: () => (element.hidden = false),
    hide: () => (element.hidden = true),
  };
}
