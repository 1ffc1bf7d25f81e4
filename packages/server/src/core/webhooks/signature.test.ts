import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './signature.js';

describe('webhook signature', () => {
  const body = '{"id":"e1","type":"session.started"}';
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const expected = createHmac('sha256', 'whsec_k').update(`1700000000.${body}`).digest('hex');
    expect(signWebhook('whsec_k', body, 1700000000)).toBe(`t=1700000000,v1=${expected}`);
  });
  it('verifies within the replay window only, with the right secret and the exact body', () => {
    const header = signWebhook('whsec_k', body, 1700000000);
    expect(verifyWebhookSignature('whsec_k', body, header, 1700000000 + 299)).toBe(true);
    expect(verifyWebhookSignature('whsec_k', body, header, 1700000000 + 301)).toBe(false);
    expect(verifyWebhookSignature('whsec_other', body, header, 1700000000)).toBe(false);
    expect(verifyWebhookSignature('whsec_k', body + ' ', header, 1700000000)).toBe(false);
    expect(verifyWebhookSignature('whsec_k', body, header.replace('t=1700000000', 't=1700000001'), 1700000000)).toBe(false);
    expect(verifyWebhookSignature('whsec_k', body, 'garbage', 1700000000)).toBe(false);
  });
});
