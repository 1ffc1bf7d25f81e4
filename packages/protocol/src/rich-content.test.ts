import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choiceText, RICH_LIMITS, richContent, richFallbackText, richMessageText, richOf } from './rich-content.js';

const label = fc.string({ minLength: 1, maxLength: RICH_LIMITS.label }).filter((s) => s.trim().length > 0 && !/[\u0000-\u001f\u007f-\u009f]/.test(s));
const url = fc.webUrl({ validSchemes: ['http', 'https'] });
const reply = fc.record({ text: label });
const action = fc.oneof(fc.record({ type: fc.constant('reply' as const), text: label }), fc.record({ type: fc.constant('link' as const), text: label, url }));
const card = fc.record({ title: label, actions: fc.array(action, { maxLength: RICH_LIMITS.cardActions }) }, { requiredKeys: ['title', 'actions'] });

describe('rich content', () => {
  it('accepts every well-formed message within the bounds, and its fallback text names every choice', () => {
    const valid = fc.oneof(
      fc.record({ kind: fc.constant('quickReplies' as const), replies: fc.array(reply, { minLength: 1, maxLength: RICH_LIMITS.quickReplies }) }),
      fc.record({ kind: fc.constant('buttons' as const), buttons: fc.array(action, { minLength: 1, maxLength: RICH_LIMITS.buttons }) }),
      fc.record({ kind: fc.constant('card' as const), card }),
      fc.record({ kind: fc.constant('carousel' as const), cards: fc.array(card, { minLength: 1, maxLength: RICH_LIMITS.cards }) }),
      fc.record({ kind: fc.constant('listPicker' as const), items: fc.array(fc.record({ title: label }), { minLength: 1, maxLength: RICH_LIMITS.listItems }) }),
    );
    fc.assert(
      fc.property(valid, (rich) => {
        const parsed = richContent.parse(rich);
        const fallback = richFallbackText(parsed);
        const choices =
          parsed.kind === 'quickReplies'
            ? parsed.replies.map((r) => r.text)
            : parsed.kind === 'buttons'
              ? parsed.buttons.map((b) => b.text)
              : parsed.kind === 'listPicker'
                ? parsed.items.map((i) => i.title)
                : [];
        for (const c of choices) expect(fallback).toContain(c);
        expect(richMessageText('', parsed)).toBe(fallback);
        expect(richMessageText('Pick one', parsed)).toBe('Pick one');
      }),
    );
  });

  it('refuses one option more than the bound, for every kind', () => {
    const r = { text: 'x' };
    const a = { type: 'reply', text: 'x' };
    const c = { title: 't' };
    expect(richContent.safeParse({ kind: 'quickReplies', replies: Array(RICH_LIMITS.quickReplies).fill(r) }).success).toBe(true);
    expect(richContent.safeParse({ kind: 'quickReplies', replies: Array(RICH_LIMITS.quickReplies + 1).fill(r) }).success).toBe(false);
    expect(richContent.safeParse({ kind: 'quickReplies', replies: [] }).success).toBe(false);
    expect(richContent.safeParse({ kind: 'buttons', buttons: Array(RICH_LIMITS.buttons + 1).fill(a) }).success).toBe(false);
    expect(richContent.safeParse({ kind: 'card', card: { title: 't', actions: Array(RICH_LIMITS.cardActions + 1).fill(a) } }).success).toBe(false);
    expect(richContent.safeParse({ kind: 'carousel', cards: Array(RICH_LIMITS.cards + 1).fill(c) }).success).toBe(false);
    expect(richContent.safeParse({ kind: 'listPicker', items: Array(RICH_LIMITS.listItems + 1).fill(c) }).success).toBe(false);
  });

  it('refuses any label, title or description over its length, and control characters in labels', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.constantFrom('a', 'é', '<'), (extra, ch) => {
        expect(richContent.safeParse({ kind: 'quickReplies', replies: [{ text: ch.repeat(RICH_LIMITS.label + extra) }] }).success).toBe(false);
        expect(richContent.safeParse({ kind: 'quickReplies', replies: [{ text: 'x', value: ch.repeat(RICH_LIMITS.value + extra) }] }).success).toBe(false);
        expect(richContent.safeParse({ kind: 'card', card: { title: ch.repeat(RICH_LIMITS.title + extra) } }).success).toBe(false);
        expect(richContent.safeParse({ kind: 'card', card: { title: 't', description: ch.repeat(RICH_LIMITS.description + extra) } }).success).toBe(false);
      }),
    );
    for (const bad of ['a\u0000b', 'a\nb', '\u007f', '   ']) expect(richContent.safeParse({ kind: 'quickReplies', replies: [{ text: bad }] }).success).toBe(false);
  });

  it('takes only absolute http(s) links and images', () => {
    const scheme = fc.constantFrom('javascript:alert(1)', 'data:text/html,<script>x</script>', 'vbscript:x', 'file:///etc/passwd', '//evil.example/x', 'ftp://x.example/', '/relative');
    fc.assert(
      fc.property(scheme, (bad) => {
        expect(richContent.safeParse({ kind: 'buttons', buttons: [{ type: 'link', text: 'go', url: bad }] }).success).toBe(false);
        expect(richContent.safeParse({ kind: 'card', card: { title: 't', image: bad } }).success).toBe(false);
        expect(richContent.safeParse({ kind: 'listPicker', items: [{ title: 't', image: bad }] }).success).toBe(false);
      }),
    );
    expect(richContent.safeParse({ kind: 'card', card: { title: 't', image: 'https://x.example/a.png', actions: [{ type: 'link', text: 'go', url: 'http://x.example/' }] } }).success).toBe(true);
  });

  it('refuses unknown kinds and fields, so nothing unchecked rides along', () => {
    expect(richContent.safeParse({ kind: 'html', html: '<b>x</b>' }).success).toBe(false);
    expect(richContent.safeParse({ kind: 'quickReplies', replies: [{ text: 'x' }], html: '<b>x</b>' }).success).toBe(false);
    expect(richContent.safeParse({ kind: 'quickReplies', replies: [{ text: 'x', onclick: 'x' }] }).success).toBe(false);
    expect(richOf({ rich: { kind: 'nope' } })).toBeNull();
    expect(richOf(undefined)).toBeNull();
  });

  it('a tapped choice sends its value, else its label', () => {
    expect(choiceText({ text: 'Opening hours', value: 'hours' })).toBe('hours');
    expect(choiceText({ text: 'Agent' })).toBe('Agent');
    expect(choiceText({ title: 'Blue shirt' })).toBe('Blue shirt');
  });
});
