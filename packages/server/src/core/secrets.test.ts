import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from './secrets.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('hashApiKey', () => {
  it('is the SHA-256 of the key, for keys seen again and for more keys than it remembers', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 64 }), { minLength: 1, maxLength: 600 }), (keys) => {
        for (const key of [...keys, ...keys.reverse()]) expect(hashApiKey(key)).toBe(sha256(key));
      }),
      { numRuns: 30 },
    );
  });
});
