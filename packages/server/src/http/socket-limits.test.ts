import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeReason, FrameBudget } from './socket-limits.js';

describe('FrameBudget', () => {
  it('never lets more than burst + rate x elapsed frames through, and lets a steady client through', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 300 }), (gaps) => {
        let t = 0;
        const budget = new FrameBudget(10, 40, () => t);
        let taken = 0;
        for (const gap of gaps) {
          t += gap;
          if (budget.take()) taken++;
          expect(taken).toBeLessThanOrEqual(40 + (t / 1000) * 10);
        }
      }),
    );
    let t = 0;
    const steady = new FrameBudget(10, 40, () => t);
    for (let i = 0; i < 1000; i++) {
      t += 100;
      expect(steady.take()).toBe(true);
    }
  });
});

describe('closeReason', () => {
  it('keeps a close reason within 123 bytes of UTF-8, whatever the message quotes', () => {
    expect(closeReason('short')).toBe('short');
    const wide = `origin https://${'é'.repeat(200)} is not allowed for this deployment`;
    const reason = closeReason(wide);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(wide.startsWith(reason)).toBe(true);
    expect(Buffer.byteLength(closeReason('x'.repeat(500)))).toBe(123);
  });
});
