import type { RichAction, RichCard, RichContent } from '@parley/protocol';
import { safeHref } from '../util/links.js';
import { richOfData } from './quick-replies.js';

const KIND_LABELS: Record<RichContent['kind'], string> = {
  quickReplies: 'Quick replies',
  buttons: 'Buttons',
  card: 'Card',
  carousel: 'Carousel',
  listPicker: 'List',
};

function Action({ a }: { a: RichAction }) {
  if (a.type === 'link') {
    const href = safeHref(a.url);
    return (
      <li class="rich-option">
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {a.text}
          </a>
        ) : (
          a.text
        )}
      </li>
    );
  }
  return <li class="rich-option">{a.text}</li>;
}

function Card({ c }: { c: RichCard }) {
  const image = safeHref(c.image);
  return (
    <div class="rich-card">
      <strong>{c.title}</strong>
      {c.description && <span class="muted"> {c.description}</span>}
      {image && (
        <a class="rich-image" href={image} target="_blank" rel="noopener noreferrer">
          image
        </a>
      )}
      {c.actions.length > 0 && (
        <ul class="rich-options">
          {c.actions.map((a, i) => (
            <Action key={i} a={a} />
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * What a rich message offered the customer (docs/rich-messages.md), under its text: the options as
 * labels (the customer taps them; their choice comes back as their own message), cards' titles and
 * links. Text is rendered as text; links only when http(s).
 */
export function RichMessage({ data }: { data: Record<string, unknown> | undefined }) {
  const rich = richOfData(data);
  if (!rich) return null;
  const label = KIND_LABELS[rich.kind] ?? 'Rich content';
  return (
    <div class="rich" role="group" aria-label={label}>
      <span class="muted">{label}: </span>
      {rich.kind === 'quickReplies' && (
        <ul class="rich-options">
          {rich.replies.map((r, i) => (
            <li key={i} class="rich-option">
              {r.text}
            </li>
          ))}
        </ul>
      )}
      {rich.kind === 'buttons' && (
        <ul class="rich-options">
          {rich.buttons.map((a, i) => (
            <Action key={i} a={a} />
          ))}
        </ul>
      )}
      {rich.kind === 'card' && <Card c={rich.card} />}
      {rich.kind === 'carousel' && rich.cards.map((c, i) => <Card key={i} c={c} />)}
      {rich.kind === 'listPicker' && (
        <ul class="rich-options">
          {rich.title && <li class="muted">{rich.title}</li>}
          {rich.items.map((item, i) => (
            <li key={i} class="rich-option">
              {item.title}
              {item.description && <span class="muted"> {item.description}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
