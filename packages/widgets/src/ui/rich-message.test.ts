// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { renderRich, richOf, richSummary, settleRich } from './rich-message.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const labels = { choices: 'Choices', carousel: 'Cards' };

function setup(rich: unknown, fail = false) {
  const sent: string[] = [];
  const deps = {
    labels,
    active: () => true,
    send: (text: string) => {
      sent.push(text);
      return fail ? Promise.reject(new Error('offline')) : Promise.resolve();
    },
  };
  const el = renderRich(rich as Record<string, unknown>, deps);
  if (el) document.body.replaceChildren(el);
  return { el, sent };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('rich messages in the widget', () => {
  it('quick replies: buttons in a named group; a tap sends the value (or the text) and uses them all up', async () => {
    const { el, sent } = setup({ kind: 'quickReplies', replies: [{ text: 'Hours' }, { text: 'Talk to a person', value: 'agent' }] });
    const buttons = [...el!.querySelectorAll('button')];
    expect(el!.querySelector('[role=group]')!.getAttribute('aria-label')).toBe('Choices');
    expect(buttons.map((b) => b.textContent)).toEqual(['Hours', 'Talk to a person']);
    expect(richSummary(el!)).toBe('Hours, Talk to a person');
    expect(buttons.every((b) => b.type === 'button')).toBe(true);
    buttons[1]!.click();
    buttons[0]!.click();
    await flush();
    expect(sent).toEqual(['agent']);
    expect(buttons[1]!.getAttribute('aria-pressed')).toBe('true');
    expect(buttons.every((b) => b.getAttribute('aria-disabled') === 'true')).toBe(true);
  });

  it('a tap that could not be sent gives the choices back', async () => {
    const { el, sent } = setup({ kind: 'quickReplies', replies: [{ text: 'Yes' }] }, true);
    const b = el!.querySelector('button')!;
    b.click();
    await flush();
    expect(sent).toEqual(['Yes']);
    expect(b.hasAttribute('aria-disabled')).toBe(false);
  });

  it('a later message from the customer uses up earlier quick replies', () => {
    const { el, sent } = setup({ kind: 'quickReplies', replies: [{ text: 'Yes' }] });
    settleRich(document.body);
    el!.querySelector('button')!.click();
    expect(sent).toEqual([]);
  });

  it('cards, carousels, buttons and list pickers: titles, descriptions, http(s) images and links, reply buttons', async () => {
    const card = {
      title: 'Blue shirt',
      description: 'Cotton',
      image: 'https://shop.example/s.png',
      actions: [
        { type: 'link', text: 'See it', url: 'https://shop.example/s' },
        { type: 'reply', text: 'Buy', value: 'buy blue' },
      ],
    };
    const one = setup({ kind: 'card', card });
    expect(one.el!.querySelector('img')!.getAttribute('src')).toBe('https://shop.example/s.png');
    expect(one.el!.querySelector('a')!.getAttribute('href')).toBe('https://shop.example/s');
    expect(one.el!.querySelector('a')!.getAttribute('rel')).toBe('noopener noreferrer');
    one.el!.querySelector('button')!.click();
    await flush();
    one.el!.querySelector('button')!.click();
    await flush();
    expect(one.sent).toEqual(['buy blue', 'buy blue']); // card buttons are not a one-time question
    const carousel = setup({ kind: 'carousel', cards: [card, { ...card, title: 'Red shirt' }] });
    const row = carousel.el!.querySelector('[role=list]')!;
    expect(row.getAttribute('tabindex')).toBe('0');
    expect(row.getAttribute('aria-label')).toBe('Cards');
    expect([...row.querySelectorAll('[role=listitem] .pz-card-title')].map((t) => t.textContent)).toEqual(['Blue shirt', 'Red shirt']);
    const buttons = setup({
      kind: 'buttons',
      buttons: [
        { type: 'reply', text: 'OK' },
        { type: 'link', text: 'Help', url: 'http://help.example/' },
      ],
    });
    expect(buttons.el!.querySelectorAll('button, a')).toHaveLength(2);
    const picker = setup({
      kind: 'listPicker',
      title: 'Sizes',
      items: [
        { title: 'S', description: 'small' },
        { title: 'M', value: 'medium' },
      ],
    });
    expect(picker.el!.querySelector('ul')!.getAttribute('aria-label')).toBe('Sizes');
    const picks = [...picker.el!.querySelectorAll('button')];
    picks[1]!.click();
    picks[0]!.click();
    await flush();
    expect(picker.sent).toEqual(['medium']);
  });

  it('hostile text in every field stays text: no element, no handler, no other link scheme', () => {
    const evil = {
      title: HOSTILE,
      description: HOSTILE,
      image: 'javascript:alert(1)',
      actions: [
        { type: 'link', text: HOSTILE, url: 'javascript:alert(1)' },
        { type: 'reply', text: HOSTILE, value: HOSTILE },
      ],
    };
    const all = [
      { kind: 'quickReplies', replies: [{ text: HOSTILE, value: HOSTILE }] },
      { kind: 'buttons', buttons: evil.actions },
      { kind: 'card', card: evil },
      { kind: 'carousel', cards: [evil, evil] },
      { kind: 'listPicker', title: HOSTILE, items: [{ title: HOSTILE, description: HOSTILE, image: 'data:image/png;base64,AA' }] },
    ];
    for (const rich of all) {
      const { el } = setup(rich);
      expect(el, rich.kind).not.toBeNull();
      expect(el!.querySelector('img, script, iframe')).toBeNull();
      expect(el!.querySelector('a')).toBeNull();
      expect(el!.textContent).toContain(HOSTILE);
      for (const node of el!.querySelectorAll('*')) for (const a of node.getAttributeNames()) expect(a.startsWith('on'), a).toBe(false);
    }
  });

  it('ignores what is not rich content, and keeps to the bounds', () => {
    expect(richOf({ data: { rich: 'x' } }, {})).toBeNull();
    expect(richOf({}, { data: { rich: { kind: 'card' } } })).toEqual({ kind: 'card' });
    expect(setup({ kind: 'html', html: HOSTILE }).el).toBeNull();
    expect(setup({ kind: 'quickReplies', replies: [{ text: '' }, null, 5] }).el).toBeNull();
    expect(setup({ kind: 'card', card: { title: 5 } }).el).toBeNull();
    const many = setup({ kind: 'quickReplies', replies: Array.from({ length: 40 }, (_, i) => ({ text: `o${i}` })) });
    expect(many.el!.querySelectorAll('button')).toHaveLength(13);
  });
});
