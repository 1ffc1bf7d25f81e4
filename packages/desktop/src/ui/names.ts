import type { Conversation } from '../state/desktop.js';
import { customerNickname } from '../state/offers.js';

/** The customer's name as the desktop shows it: FirstName LastName from user data, else the nickname. */
export function customerName(c: Conversation): string {
  const d = c.details;
  const ud = d?.session.userData ?? {};
  const full = [ud.FirstName, ud.LastName].filter(Boolean).join(' ').trim();
  if (full) return full;
  const customer = d?.participants.find((p) => p.type === 'Customer');
  return customer?.nickname || customerNickname(c.interaction) || 'Customer';
}

export function stateLabel(c: Conversation): string {
  if (c.mode === 'monitor') return 'Monitoring';
  const s = c.interaction?.state;
  if (!s) return c.sessionEnded ? 'Ended' : c.barged ? 'Barged in' : 'Not assigned to you';
  if (s === 'Finalizing') return 'Wrap-up';
  return s;
}
