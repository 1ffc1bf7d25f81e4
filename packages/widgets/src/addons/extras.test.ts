// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import './extras.js';
import type { AfterChatOptions, LeaveMessageOptions } from './extras.js';

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';
const extras = () => (globalThis as any).ParleyAddons.extras as { afterChat(o: AfterChatOptions): HTMLElement; leaveMessage(o: LeaveMessageOptions): HTMLElement };
let n = 0;
const base = { text: (_k: string, en: string) => en, uniqueId: (s: string) => `t${++n}-${s}` };
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('extras add-on: survey, transcript, leave a message', () => {
  it('sends the survey once with the chosen rating and the comment; the answer and errors are text', async () => {
    const calls: unknown[][] = [];
    const panel = extras().afterChat({ ...base, email: false, survey: true, request: async (...a) => void calls.push(a) });
    document.body.appendChild(panel);
    const form = panel.querySelector('form')!;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(panel.textContent).toContain('Choose a rating from 1 to 5.');
    expect(calls).toEqual([]);
    panel.querySelector<HTMLInputElement>('input[value="2"]')!.checked = true;
    panel.querySelector('textarea')!.value = `  ${HOSTILE}  `;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(calls).toEqual([['POST', '/{session}/survey', { rating: '2', comment: HOSTILE }]]);
    expect(panel.textContent).toContain('Thank you for your feedback.');
    expect(panel.querySelector('script, img')).toBeNull();
    expect(panel.querySelector('form.pz-mail')).toBeNull(); // no e-mail without SMTP
    panel.remove();
  });

  it('tells an already rated chat apart from a failure', async () => {
    const panel = extras().afterChat({ ...base, email: true, survey: true, request: async () => Promise.reject({ httpStatus: 409 }) });
    panel.querySelector<HTMLInputElement>('input[value="5"]')!.checked = true;
    panel.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    await settle();
    expect(panel.textContent).toContain('This chat has already been rated.');
    expect(panel.querySelector('form.pz-mail input[type=email]')).not.toBeNull();
  });

  it('leave a message: a message per empty or invalid field, then one request; the address is shown as text', async () => {
    const calls: unknown[][] = [];
    let sent = 0;
    const form = extras().leaveMessage({
      ...base,
      reason: 'closed',
      queue: 'Sales',
      remembered: {},
      request: async (...a) => {
        calls.push(a);
        return { clientToken: 't', sessionId: 's', participantId: 'p' };
      },
      sent: () => sent++,
      cancel: () => undefined,
    });
    document.body.appendChild(form);
    expect(form.textContent).toContain('We are closed right now');
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect([...form.querySelectorAll('.pz-err:not([hidden])')].map((e) => e.textContent)).toEqual(['Name is required.', 'Email is required.', 'Message is required.']);
    const [name, email, subject] = [...form.querySelectorAll('input')];
    name!.value = HOSTILE;
    email!.value = 'not-an-address';
    subject!.value = 'Order';
    form.querySelector('textarea')!.value = HOSTILE;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(form.querySelector('[aria-invalid="true"]')).toBe(email);
    email!.value = 'ann@example.com';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(calls).toEqual([['POST', '/offline-messages', { name: HOSTILE, email: 'ann@example.com', subject: 'Order', text: HOSTILE, queue: 'Sales' }]]);
    expect(sent).toBe(1);
    expect(form.textContent).toContain('we will reply to ann@example.com.');
    expect(form.querySelector('script, img')).toBeNull();
    form.remove();
  });
});
