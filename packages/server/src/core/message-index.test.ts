import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIndex, nextIndexNum, parseIndex } from './message-index.js';

const asClientNumber = (index: string) => Number(index.replace('-', ''));

describe('message index', () => {
  it('formats as "<ms>-<seq>" like seed 000', () => {
    expect(formatIndex(nextIndexNum(0, 1625826338845))).toBe('1625826338845-0');
  });

  it('stays strictly increasing for any clock sequence, in string, numeric and client-number form', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.integer({ min: -5000, max: 5 }), { maxLength: 300 }),
        (starts, steps) => {
          let clock = starts[0]!;
          let last = 0;
          let lastText = '';
          for (let i = 0; i < steps.length + 1; i++) {
            const num = nextIndexNum(last, clock);
            const text = formatIndex(num);
            expect(num).toBeGreaterThan(last);
            expect(parseIndex(text)).toBe(num);
            if (lastText) expect(asClientNumber(text)).toBeGreaterThan(asClientNumber(lastText));
            last = num;
            lastText = text;
            clock += steps[i] ?? 0;
          }
        },
      ),
    );
  });

  it('carries into the millisecond after nine messages in one millisecond', () => {
    let n = 0;
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      n = nextIndexNum(n, 1000);
      seen.push(formatIndex(n));
    }
    expect(seen.slice(8, 12)).toEqual(['1000-8', '1000-9', '1001-0', '1001-1']);
  });

  it('rejects malformed indexes', () => {
    for (const bad of ['', '12', '12-', '-1', '12-10', 'a-1', '1-1-1', '99999999999999999-0']) expect(parseIndex(bad)).toBeNull();
  });
});
