import { describe, expect, it } from 'vitest';
import { auditDetails } from './audit-trail.js';

describe('auditDetails', () => {
  it('keeps what an action was given, without passwords, secrets, tokens or message text', () => {
    expect(
      auditDetails({
        displayName: 'Ann',
        password: 'p4ss-word',
        role: 'admin',
        nested: { apiKey: 'pk_x', clientToken: 't', list: [{ text: 'hello', code: 'a' }] },
        rotateSecret: true,
        text: 'whisper',
      }),
    ).toEqual({
      displayName: 'Ann',
      password: '[redacted]',
      role: 'admin',
      nested: { apiKey: '[redacted]', clientToken: '[redacted]', list: [{ text: '[redacted]', code: 'a' }] },
      rotateSecret: '[redacted]',
      text: '[redacted]',
    });
  });
  it('is bounded, and empty for anything but an object', () => {
    expect(auditDetails(null)).toEqual({});
    expect(auditDetails('x')).toEqual({});
    expect(auditDetails([1, 2])).toEqual({});
    const big = auditDetails({ a: 'x'.repeat(10_000), list: Array.from({ length: 500 }, (_, i) => i) });
    expect(JSON.stringify(big).length).toBeLessThan(5_000);
    expect((big as { list: number[] }).list).toHaveLength(50);
  });
});
