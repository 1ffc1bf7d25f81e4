import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { richContent } from '@parley/protocol';
import { MAX_QUICK_REPLIES, parseQuickReplies, quickRepliesContent, quickRepliesProblem } from './quick-replies.js';

describe('quick replies typed in the composer', () => {
  it('one per line, trimmed, blank lines and repeats dropped', () => {
    expect(parseQuickReplies(' Yes \n\nNo\nYes\n  ')).toEqual(['Yes', 'No']);
    expect(quickRepliesContent([])).toBeUndefined();
  });

  it('what the composer lets through is what the server accepts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (typed) => {
        const replies = parseQuickReplies(typed);
        const content = quickRepliesContent(replies);
        if (!content) return;
        expect(richContent.safeParse(content).success).toBe(quickRepliesProblem(replies) === null);
      }),
    );
    expect(quickRepliesProblem(Array.from({ length: MAX_QUICK_REPLIES + 1 }, (_, i) => `r${i}`))).toMatch(/At most/);
  });
});
