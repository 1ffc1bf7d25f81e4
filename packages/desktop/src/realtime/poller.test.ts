import { describe, expect, it } from 'vitest';
import type { MessagesPage } from '@parley/protocol';
import { SessionPoller } from './poller.js';

describe('SessionPoller', () => {
  it('long-polls from the last index held, stops when the session ends, retries after errors', async () => {
    const calls: (string | null)[] = [];
    let held: string | null = '1-0';
    let n = 0;
    const pages: MessagesPage[] = [];
    const done = new Promise<void>((resolve) => {
      const poller = new SessionPoller({
        read: async (_id, after) => {
          calls.push(after);
          n += 1;
          if (n === 2) throw new Error('network');
          if (n === 4) return { messages: [], lastIndex: held, sessionEnded: true };
          return { messages: [], lastIndex: `${n + 1}-0`, sessionEnded: false };
        },
        resumeIndex: () => held,
        onPage: (_id, page) => {
          pages.push(page);
          held = page.lastIndex;
          if (page.sessionEnded)
            setTimeout(() => {
              expect(poller.running).toEqual([]);
              resolve();
            }, 0);
        },
        errorDelayMs: 1,
      });
      poller.start('s');
      poller.start('s');
    });
    await done;
    expect(calls).toEqual(['1-0', '2-0', '2-0', '4-0']);
    expect(pages).toHaveLength(3);
  });

  it('stop aborts the loop', async () => {
    let aborted = false;
    const poller = new SessionPoller({
      read: (_id, _after, _wait, signal) =>
        new Promise((_r, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        ),
      resumeIndex: () => null,
      onPage: () => {},
    });
    poller.start('a');
    expect(poller.running).toEqual(['a']);
    poller.stopAll();
    await new Promise((r) => setTimeout(r, 5));
    expect(aborted).toBe(true);
    expect(poller.running).toEqual([]);
  });
});
