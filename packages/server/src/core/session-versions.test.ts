import { describe, expect, it } from 'vitest';
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { topics, type Fanout } from '../ports/fanout.js';
import { SessionVersions } from './session-versions.js';
import { WriteNotes } from './write-notes.js';

const clockAt = (t = 1_000_000) => ({
  t,
  now() {
    return this.t;
  },
});

describe('SessionVersions', () => {
  it('a version stays unchanged until the session is notified, and only that session', async () => {
    const fanout = new MemoryFanout();
    const clock = clockAt();
    const versions = new SessionVersions(fanout, clock);
    const a = versions.now('a');
    const b = versions.now('b');
    expect(versions.unchanged(a)).toBe(true);
    await fanout.notify(topics.session('a'));
    expect(versions.unchanged(a)).toBe(false);
    expect(versions.unchanged(b)).toBe(true);
    expect(versions.unchanged(versions.now('a'))).toBe(true);
    versions.close();
  });

  it("hands back this node's writes since a version, in order, and nothing once another node's notification is among them", async () => {
    const fanout = new MemoryFanout();
    const versions = new SessionVersions(fanout, clockAt());
    const write = (fromNum: number, toNum: number) => ({ sessionId: 'a', fromNum, toNum, messages: [], changedAccess: false });
    const v = versions.now('a');
    expect(versions.knownWritesSince(v)).toEqual({ writes: [], version: v });
    versions.recordLocal(write(1, 2));
    // Recorded, not yet heard: the version has not moved.
    expect(versions.unchanged(v)).toBe(true);
    await fanout.notify(topics.session('a'));
    versions.recordLocal(write(2, 3));
    await fanout.notify(topics.session('a'));
    const since = versions.knownWritesSince(v)!;
    expect(since.writes.map((w) => w.toNum)).toEqual([2, 3]);
    expect(versions.unchanged(since.version)).toBe(true);
    // A notification with no write of this node's behind it (another node's, a wake-all).
    await fanout.notify(topics.session('a'));
    expect(versions.knownWritesSince(v)).toBeNull();
    expect(versions.knownWritesSince(since.version)).toBeNull();
    // A session nobody watches keeps nothing.
    versions.recordLocal({ ...write(1, 2), sessionId: 'b' });
    const b = versions.now('b');
    await fanout.notify(topics.session('b'));
    expect(versions.knownWritesSince(b)).toBeNull();
    versions.close();
  });

  it("knows another node's write from its notification's signed note, labels this node's own by its note, and ignores a note it cannot verify", async () => {
    const fanout = new MemoryFanout();
    const notes = new WriteNotes('the cluster secret');
    const versions = new SessionVersions(fanout, clockAt(), undefined, notes);
    const text = (n: number) => ({ type: 'Text', index: `${n}`, text: `t${n}` }) as never;
    const write = (fromNum: number, toNum: number) => ({ sessionId: 'a', fromNum, toNum, messages: [text(toNum)], changedAccess: false });
    const v = versions.now('a');
    // Another node's write arrives while this node's own is pending: each notification gets its own write.
    const mine = { ...write(2, 3), note: notes.encode(write(2, 3))! };
    versions.recordLocal(mine);
    await fanout.notify(topics.session('a'), notes.encode(write(1, 2)));
    await fanout.notify(topics.session('a'), mine.note);
    const since = versions.knownWritesSince(v)!;
    expect(since.writes.map((w) => [w.fromNum, w.toNum, w.messages])).toEqual([
      [1, 2, [text(2)]],
      [2, 3, [text(3)]],
    ]);
    expect(since.writes[1]).toBe(mine);
    // Signed with another secret, or naming another session: readers go to the store.
    await fanout.notify(topics.session('a'), new WriteNotes('another secret').encode(write(3, 4)));
    expect(versions.knownWritesSince(since.version)).toBeNull();
    const w = versions.now('a');
    await fanout.notify(topics.session('a'), notes.encode({ ...write(4, 5), sessionId: 'b' }));
    expect(versions.knownWritesSince(w)).toBeNull();
    versions.close();
  });

  it('is trusted no longer than maxAgeMs, nor the fan-out recheck, nor across a recheck change', () => {
    const clock = clockAt();
    let recheckMs = 30_000;
    const watchers = new Set<() => void>();
    const fanout: Fanout = {
      notify: async () => {},
      listen: () => () => {},
      ping: async () => true,
      get recheckMs() {
        return recheckMs;
      },
      onRecheckChange: (fn) => (watchers.add(fn), () => watchers.delete(fn)),
      close: async () => {},
    };
    const versions = new SessionVersions(fanout, clock, { idleMs: 120_000, maxSessions: 10, maxAgeMs: 20_000 });
    const v = versions.now('s');
    clock.t += 19_999;
    expect(versions.unchanged(v)).toBe(true);
    clock.t += 1;
    expect(versions.unchanged(v)).toBe(false);

    const w = versions.now('s');
    recheckMs = 300; // Redis went away
    for (const fn of watchers) fn();
    expect(versions.unchanged(w)).toBe(false);
    const x = versions.now('s');
    clock.t += 300;
    expect(versions.unchanged(x)).toBe(false);
    versions.close();
  });

  it('stops watching past maxSessions (the least recently used first): its versions are no longer trusted', () => {
    const fanout = new MemoryFanout();
    const versions = new SessionVersions(fanout, clockAt(), { idleMs: 120_000, maxSessions: 2, maxAgeMs: 30_000 });
    const a = versions.now('a');
    versions.now('b');
    versions.now('a'); // a used more recently than b
    versions.now('c');
    expect(versions.size).toBe(2);
    expect(versions.unchanged(a)).toBe(true);
    const b = versions.now('b'); // evicts a
    expect(versions.unchanged(a)).toBe(false);
    expect(versions.unchanged(b)).toBe(true);
    versions.close();
  });
});
