import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LocalWrite } from './session-versions.js';
import { MAX_WRITE_NOTE_LENGTH, WriteNotes } from './write-notes.js';

const writeArb = fc.record({
  sessionId: fc.uuid(),
  fromNum: fc.integer({ min: -1, max: 2 ** 52 }),
  toNum: fc.integer({ min: 0, max: 2 ** 52 }),
  changedAccess: fc.boolean(),
  messages: fc.array(fc.record({ type: fc.constantFrom('Text', 'Notice'), index: fc.string(), text: fc.string(), visibility: fc.constantFrom('All', 'Int', 'Vip') }), { maxLength: 4 }),
}) as fc.Arbitrary<LocalWrite>;

describe('WriteNotes', () => {
  it('a note reads back as its write, for its session only', () => {
    const notes = new WriteNotes('s3cret');
    fc.assert(
      fc.property(writeArb, fc.uuid(), (write, other) => {
        const note = notes.encode(write)!;
        expect(notes.decode(note, write.sessionId)).toEqual(write);
        if (other !== write.sessionId) expect(notes.decode(note, other)).toBeNull();
      }),
    );
  });

  it('a note changed anywhere, or signed with another secret, reads as nothing', () => {
    const notes = new WriteNotes('s3cret');
    fc.assert(
      fc.property(writeArb, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (write, at, ch) => {
        const note = notes.encode(write)!;
        const i = at % note.length;
        const changed = note.slice(0, i) + ch + note.slice(i + 1);
        if (changed !== note) expect(notes.decode(changed, write.sessionId)).toBeNull();
        expect(new WriteNotes('other').decode(note, write.sessionId)).toBeNull();
      }),
    );
  });

  it('a write too long to send has no note; garbage is no note', () => {
    const notes = new WriteNotes('s3cret');
    const big: LocalWrite = { sessionId: 's', fromNum: 1, toNum: 2, changedAccess: false, messages: [{ text: 'x'.repeat(MAX_WRITE_NOTE_LENGTH) } as never] };
    expect(notes.encode(big)).toBeUndefined();
    for (const junk of ['', 'abc', 'x'.repeat(200), `${'A'.repeat(43)}{}`]) expect(notes.decode(junk, 's')).toBeNull();
  });
});
