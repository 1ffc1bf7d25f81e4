import { describe, expect, it } from 'vitest';
import { TypingController } from './typing.js';

function fakeTimers() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout: (fn: () => void, ms: number) => {
      pending.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h: unknown) => void pending.delete(h as number),
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending])
        if (t.at <= now) {
          pending.delete(id);
          t.fn();
        }
    },
  };
}

describe('TypingController', () => {
  it('TypingStarted once, TypingStopped after 3 s idle', () => {
    const sent: string[] = [];
    const timers = fakeTimers();
    const t = new TypingController((x) => sent.push(x), timers);
    t.input();
    timers.advance(1000);
    t.input();
    timers.advance(2500);
    expect(sent).toEqual(['TypingStarted']);
    timers.advance(600);
    expect(sent).toEqual(['TypingStarted', 'TypingStopped']);
    t.input();
    expect(sent.at(-1)).toBe('TypingStarted');
  });

  it('send or a cleared draft stops at once; stop when idle sends nothing', () => {
    const sent: string[] = [];
    const timers = fakeTimers();
    const t = new TypingController((x) => sent.push(x), timers);
    t.stop();
    expect(sent).toEqual([]);
    t.input();
    t.stop();
    expect(sent).toEqual(['TypingStarted', 'TypingStopped']);
    timers.advance(5000);
    expect(sent).toHaveLength(2);
    t.input();
    t.input(true);
    expect(sent).toEqual(['TypingStarted', 'TypingStopped', 'TypingStarted', 'TypingStopped']);
  });
});
