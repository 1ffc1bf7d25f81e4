import { describe, expect, it } from 'vitest';
import { asksForMessageStream } from './stream.js';

describe('v3 message stream helpers', () => {
  it('offers the stream only to a client that names the extension', () => {
    expect(asksForMessageStream({ 'x-parley-extensions': 'message-stream' })).toBe(true);
    expect(asksForMessageStream({ 'x-parley-extensions': 'interaction-state, message-stream' })).toBe(true);
    expect(asksForMessageStream({ 'x-parley-extensions': 'interaction-state' })).toBe(false);
    expect(asksForMessageStream({})).toBe(false);
  });
});
