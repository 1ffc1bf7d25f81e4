import { describe, expect, it } from 'vitest';
import { ChatError } from './errors.js';
import { richOfSend, richSend } from './rich-messages.js';

describe('rich content a sender gives', () => {
  const qr = { kind: 'quickReplies', replies: [{ text: 'Yes' }, { text: 'No' }] };

  it('goes on a Text as data.rich; the text is the sender’s, else written from the content', () => {
    expect(richSend('Text', 'Happy?', qr)).toEqual({ text: 'Happy?', data: { rich: qr } });
    expect(richSend('Text', '  ', qr)).toEqual({ text: '• Yes\n• No', data: { rich: qr } });
    expect(richSend('Text', 'plain', undefined)).toBeNull();
  });

  it('is refused on other types and when the schema refuses it, naming the field', () => {
    expect(() => richOfSend('Notice', qr)).toThrow(ChatError);
    expect(() => richOfSend('Text', { kind: 'buttons', buttons: [{ type: 'link', text: 'x', url: 'javascript:alert(1)' }] })).toThrow(/rich\.buttons\.0\.url/);
    expect(() => richOfSend('Text', 'quick replies')).toThrow(ChatError);
  });
});
