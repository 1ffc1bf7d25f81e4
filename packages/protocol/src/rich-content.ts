import { z } from 'zod';
import { hasControlChars, webUrl } from './safe-input.js';

/**
 * Rich messages (docs/rich-messages.md): quick replies, buttons, a card, a carousel of cards or a
 * list picker, carried on a Text message as `data.rich`. The message's `text` always stands alone
 * (a client that ignores `data.rich` shows it), and a tapped choice comes back as the customer's
 * ordinary Text, so every transport and every older client keeps working. The kinds follow the
 * Genesys structured-message forms (QuickReply, Card with actions, Carousel of cards, list picker).
 */

export const RICH_KINDS = ['quickReplies', 'buttons', 'card', 'carousel', 'listPicker'] as const;
export type RichKind = (typeof RICH_KINDS)[number];

/** Every bound of the format, in one place (the docs quote them). */
export const RICH_LIMITS = {
  quickReplies: 13,
  buttons: 5,
  cardActions: 3,
  cards: 10,
  listItems: 20,
  label: 100,
  value: 500,
  title: 200,
  description: 1000,
} as const;

const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !hasControlChars(s), 'must not contain control characters');
const paragraph = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL');
const label = line(RICH_LIMITS.label);
/** What the customer's message says when the choice is tapped (default: its label). */
const value = line(RICH_LIMITS.value).optional();

/** A choice that answers: tapping sends `value` (or `text`) as the customer's message. */
export const richReply = z.strictObject({ type: z.literal('reply'), text: label, value });
/** A link opened in a new tab (http or https only). */
export const richLink = z.strictObject({ type: z.literal('link'), text: label, url: webUrl });
export const richAction = z.discriminatedUnion('type', [richReply, richLink]);

export const richCard = z.strictObject({
  title: line(RICH_LIMITS.title),
  description: paragraph(RICH_LIMITS.description).optional(),
  /** An image shown above the title (http or https only). */
  image: webUrl.optional(),
  actions: z.array(richAction).max(RICH_LIMITS.cardActions).default([]),
});

export const richContent = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('quickReplies'),
    replies: z
      .array(z.strictObject({ text: label, value }))
      .min(1)
      .max(RICH_LIMITS.quickReplies),
  }),
  z.strictObject({ kind: z.literal('buttons'), buttons: z.array(richAction).min(1).max(RICH_LIMITS.buttons) }),
  z.strictObject({ kind: z.literal('card'), card: richCard }),
  z.strictObject({ kind: z.literal('carousel'), cards: z.array(richCard).min(1).max(RICH_LIMITS.cards) }),
  z.strictObject({
    kind: z.literal('listPicker'),
    title: line(RICH_LIMITS.title).optional(),
    items: z
      .array(z.strictObject({ title: line(RICH_LIMITS.title), description: paragraph(RICH_LIMITS.description).optional(), image: webUrl.optional(), value }))
      .min(1)
      .max(RICH_LIMITS.listItems),
  }),
]);

export type RichContent = z.infer<typeof richContent>;
export type RichAction = z.infer<typeof richAction>;
export type RichCard = z.infer<typeof richCard>;

/** The rich content of a message's `data`, or null (anything that does not parse is ignored). */
export function richOf(data: Record<string, unknown> | undefined): RichContent | null {
  const parsed = richContent.safeParse(data?.rich);
  return parsed.success ? parsed.data : null;
}

/** The customer's message when they tap a choice. */
export const choiceText = (choice: { text?: string; title?: string; value?: string | undefined }): string => choice.value ?? choice.text ?? choice.title ?? '';

function actionLines(actions: RichAction[]): string[] {
  return actions.map((a) => (a.type === 'link' ? `${a.text}: ${a.url}` : `• ${a.text}`));
}
function cardLines(card: RichCard): string[] {
  return [card.title, ...(card.description ? [card.description] : []), ...(card.image ? [card.image] : []), ...actionLines(card.actions)];
}

/** The plain-text form of rich content, one choice or link per line: what a client that ignores `data.rich` needs to answer. */
export function richFallbackText(rich: RichContent): string {
  switch (rich.kind) {
    case 'quickReplies':
      return rich.replies.map((r) => `• ${r.text}`).join('\n');
    case 'buttons':
      return actionLines(rich.buttons).join('\n');
    case 'card':
      return cardLines(rich.card).join('\n');
    case 'carousel':
      return rich.cards.map((c) => cardLines(c).join('\n')).join('\n\n');
    case 'listPicker':
      return [...(rich.title ? [rich.title] : []), ...rich.items.map((i) => `• ${i.title}${i.description ? ` (${i.description})` : ''}`)].join('\n');
  }
}

/** The `text` of a rich message: the sender's own text when there is one, else the plain-text form of the content. */
export function richMessageText(text: string | undefined, rich: RichContent): string {
  return text && text.trim() ? text : richFallbackText(rich);
}
