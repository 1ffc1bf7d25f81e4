import { add, h } from '../ui/dom.js';

/**
 * The end-of-chat and offline add-on, loaded on first use: the satisfaction survey and the
 * transcript (download, e-mail) after a chat, and "leave a message" when no one can chat. It talks
 * to the server through `request` (WebChatService.parleyRequest: the transport's own keys). Every
 * text from the server or the customer is set as text.
 */
export type ExtrasRequest = (method: string, path: string, data?: Record<string, unknown>, query?: Record<string, unknown>) => Promise<any>;
/** The page's i18n string for a key, or the English default. */
export type ExtrasText = (key: string, english: string) => string;

export interface AfterChatOptions {
  request: ExtrasRequest;
  text: ExtrasText;
  uniqueId(suffix: string): string;
  /** The server e-mails transcripts (SMTP configured). */
  email: boolean;
  survey: boolean;
}

export interface LeaveMessageOptions {
  request: ExtrasRequest;
  text: ExtrasText;
  uniqueId(suffix: string): string;
  reason: 'closed' | 'noAgents';
  queue?: string;
  remembered: Record<string, string>;
  /** Called once the message was taken (with the session the server opened for it). */
  sent(data: { clientToken: string; sessionId: string; participantId: string }): void;
  cancel(): void;
}

const COMMENT_MAX = 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const codeOf = (err: any): number => (err && typeof err === 'object' ? +err.httpStatus || 0 : 0);

function field(id: string, label: string, input: HTMLInputElement | HTMLTextAreaElement, required: boolean, requiredText: string) {
  input.id = id;
  const error = h('span', { class: 'pz-err', id: id + 'e', hidden: true });
  input.setAttribute('aria-describedby', error.id);
  if (required) input.setAttribute('aria-required', 'true');
  const row = h('div', { class: 'pz-fld' }, h('label', { for: id }, label, required ? h('span', { class: 'pz-req' }, ` (${requiredText})`) : null), input, error);
  const fail = (why: string | null) => {
    error.hidden = !why;
    error.textContent = why ?? '';
    input.toggleAttribute('aria-invalid', !!why);
    if (why) input.setAttribute('aria-invalid', 'true');
  };
  // A message about the field goes once the customer corrects it.
  input.addEventListener('input', () => error.hidden || fail(null));
  return { row, fail };
}

/** The survey and transcript panel shown below the transcript once the chat has ended. */
function afterChat(o: AfterChatOptions): HTMLElement {
  const t = o.text;
  const panel = h('section', { class: 'pz-after', 'aria-label': t('AfterChatLabel', 'After the chat') });
  if (o.survey) {
    const form = h('form', { class: 'pz-form pz-survey', novalidate: true });
    const legendId = o.uniqueId('sl');
    const stars = h('div', { class: 'pz-stars', role: 'radiogroup', 'aria-labelledby': legendId });
    const labels = ['Very poor', 'Poor', 'OK', 'Good', 'Very good'];
    for (let n = 1; n <= 5; n++) {
      const id = o.uniqueId('s' + n);
      const radio = h('input', { type: 'radio', name: 'rating', value: String(n), id });
      stars.appendChild(
        h('span', null, radio, h('label', { for: id, title: t('SurveyRating' + n, labels[n - 1]!) }, String(n), h('span', { class: 'pz-sr' }, ` ${t('SurveyRating' + n, labels[n - 1]!)}`))),
      );
    }
    const comment = h('textarea', { rows: 2, maxlength: COMMENT_MAX });
    const c = field(o.uniqueId('sc'), t('SurveyComment', 'Comment (optional)'), comment, false, '');
    const status = h('p', { class: 'pz-q', role: 'status' });
    const submit = h('button', { type: 'submit', class: 'pz-pri' }, t('SurveySubmit', 'Send rating'));
    stars.addEventListener('change', () => (status.textContent = ''));
    add(form, h('p', { id: legendId, class: 'pz-q' }, t('SurveyQuestion', 'How was this chat? (1 = very poor, 5 = very good)')), stars, c.row, status, h('div', { class: 'pz-row' }, submit));
    form.onsubmit = (e) => {
      e.preventDefault();
      const picked = form.querySelector<HTMLInputElement>('input[name=rating]:checked');
      if (!picked) {
        status.textContent = t('SurveyPick', 'Choose a rating from 1 to 5.');
        return;
      }
      submit.disabled = true;
      status.textContent = '';
      o.request('POST', '/{session}/survey', { rating: picked.value, comment: comment.value.trim() }).then(
        () => form.replaceChildren(h('p', { class: 'pz-done', role: 'status' }, t('SurveyThanks', 'Thank you for your feedback.'))),
        (err) => {
          submit.disabled = false;
          status.textContent = codeOf(err) === 409 ? t('SurveyAlready', 'This chat has already been rated.') : t('SurveyFailed', 'Your rating could not be sent. Try again.');
        },
      );
    };
    panel.appendChild(form);
  }

  const download = h('button', { type: 'button', class: 'pz-sec' }, t('TranscriptDownload', 'Download transcript'));
  const status = h('p', { class: 'pz-q', role: 'status' });
  download.onclick = () => {
    status.textContent = '';
    o.request('GET', '/{session}/transcript', undefined, { format: 'text' }).then(
      (file: { content: string }) => {
        // always a plain-text .txt, whatever the answer names: chat text in the file can never be markup a browser runs
        const url = URL.createObjectURL(new Blob([String(file.content)], { type: 'text/plain;charset=utf-8' }));
        const a = h('a', { href: url, download: 'chat-transcript.txt', hidden: true });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      },
      () => (status.textContent = t('TranscriptFailed', 'The transcript is not available any more.')),
    );
  };
  const transcript = h('div', { class: 'pz-form pz-tr' }, h('div', { class: 'pz-row' }, download));
  if (o.email) {
    const form = h('form', { class: 'pz-mail', novalidate: true });
    const input = h('input', { type: 'email', autocomplete: 'email', maxlength: 254 });
    const f = field(o.uniqueId('te'), t('TranscriptEmailLabel', 'E-mail the transcript to'), input, false, '');
    const send = h('button', { type: 'submit', class: 'pz-sec' }, t('TranscriptEmailSend', 'Send'));
    add(form, f.row, h('div', { class: 'pz-row' }, send));
    form.onsubmit = (e) => {
      e.preventDefault();
      const address = input.value.trim();
      if (!EMAIL.test(address)) return f.fail(t('ChatFormEmailInvalid', 'Enter a valid e-mail address.'));
      f.fail(null);
      send.disabled = true;
      status.textContent = '';
      o.request('POST', '/{session}/transcript/email', { email: address }).then(
        () => {
          send.disabled = false;
          status.textContent = t('TranscriptEmailSent', 'The transcript was sent to {address}.').replace('{address}', address);
        },
        (err) => {
          send.disabled = false;
          const code = codeOf(err);
          if (code === 400) f.fail(t('ChatFormEmailInvalid', 'Enter a valid e-mail address.'));
          else status.textContent = code === 429 ? t('TranscriptEmailLimit', 'Too many e-mails for now. Try again later.') : t('TranscriptEmailFailed', 'The e-mail could not be sent.');
        },
      );
    };
    transcript.appendChild(form);
  }
  add(panel, transcript, status);
  return panel;
}

/** The "leave a message" form (Genesys SendMessage) shown instead of the chat when no one can take it. */
function leaveMessage(o: LeaveMessageOptions): HTMLElement {
  const t = o.text;
  const required = t('ChatFormRequired', 'required');
  const form = h('form', { class: 'pz-form pz-leave', novalidate: true });
  const intro =
    o.reason === 'closed'
      ? t('OfflineClosed', 'We are closed right now, so no one can chat. Leave a message and we will answer by e-mail.')
      : t('OfflineNoAgents', 'No one is available to chat right now. Leave a message and an agent will get back to you.');
  const name = h('input', { type: 'text', autocomplete: 'name', maxlength: 100 });
  const email = h('input', { type: 'email', autocomplete: 'email', maxlength: 254 });
  const subject = h('input', { type: 'text', maxlength: 200 });
  const message = h('textarea', { rows: 4, maxlength: 5000 });
  name.value = [o.remembered.firstname, o.remembered.lastname].filter(Boolean).join(' ');
  email.value = o.remembered.email ?? '';
  const fName = field(o.uniqueId('ln'), t('ChatFormName', 'Name'), name, true, required);
  const fEmail = field(o.uniqueId('le'), t('ChatFormEmail', 'Email'), email, true, required);
  const fSubject = field(o.uniqueId('ls'), t('ChatFormSubject', 'Subject'), subject, false, required);
  const fMessage = field(o.uniqueId('lm'), t('OfflineMessage', 'Message'), message, true, required);
  const status = h('p', { class: 'pz-ferr', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'pz-pri' }, t('OfflineSend', 'Send message'));
  const cancel = h('button', { type: 'button', class: 'pz-sec' }, t('ChatFormCancel', 'Cancel'));
  cancel.onclick = () => o.cancel();
  add(form, h('p', { class: 'pz-q', role: 'status' }, intro), fName.row, fEmail.row, fSubject.row, fMessage.row, status, h('div', { class: 'pz-row' }, cancel, submit));
  form.onsubmit = (e) => {
    e.preventDefault();
    const empty = (label: string) => t('ChatFormEmpty', '<%Field%> is required.').replace('<%Field%>', label);
    const checks: [typeof fName, HTMLInputElement | HTMLTextAreaElement, string | null][] = [
      [fName, name, name.value.trim() ? null : empty(t('ChatFormName', 'Name'))],
      [fEmail, email, !email.value.trim() ? empty(t('ChatFormEmail', 'Email')) : EMAIL.test(email.value.trim()) ? null : t('ChatFormEmailInvalid', 'Enter a valid e-mail address.')],
      [fMessage, message, message.value.trim() ? null : empty(t('OfflineMessage', 'Message'))],
    ];
    let first: HTMLElement | null = null;
    for (const [f, input, why] of checks) {
      f.fail(why);
      if (why) first ||= input;
    }
    if (first) return first.focus();
    submit.disabled = true;
    status.textContent = '';
    const data = { name: name.value.trim(), email: email.value.trim(), subject: subject.value.trim() || undefined, text: message.value, queue: o.queue };
    o.request('POST', '/offline-messages', data).then(
      (started) => {
        form.replaceChildren(
          h('p', { class: 'pz-done', role: 'status', tabindex: -1 }, t('OfflineSent', 'Thank you. Your message was sent; we will reply to {address}.').replace('{address}', data.email)),
          h('div', { class: 'pz-row' }, cancel),
        );
        cancel.textContent = t('OfflineClose', 'Close');
        (form.firstChild as HTMLElement).focus();
        o.sent(started);
      },
      () => {
        submit.disabled = false;
        status.textContent = t('OfflineFailed', 'Your message could not be sent. Try again.');
      },
    );
  };
  return form;
}

((globalThis as any).ParleyAddons ??= {}).extras = { afterChat, leaveMessage };
