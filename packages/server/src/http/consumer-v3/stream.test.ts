import { describe, expect, it } from 'vitest';
import { asksForMessageStream, closeReason } from './stream.js';

describe('v3 message stream helpers', () => {
  it('keeps a close reason within 123 bytes of UTF-8, whatever the message quotes', () => {
    expect(closeReason('short')).toBe('short');
    const wide = `origin https://${'é'.repeat(200)} is not allowed for this deployment`;
    const reason = closeReason(wide);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(wide.startsWith(reason)).toBe(true);
    expect(Buffer.byteLength(closeReason('x'.repeat(500)))).toBe(123);
  });

  it('offers the stream only to a client that names the extension', () => {
    expect(asksForMessageStream({ 'x-parley-extensions': 'message-stream' })).toBe(true);
    expect(asksForMessageStream({ 'x-parley-extensions': 'interaction-state, message-stream' })).toBe(true);
    expect(asksForMessageStream({ 'x-parley-extensions': 'interaction-state' })).toBe(false);
    expect(asksForMessageStream({})).toBe(false);
  });
});
