import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AsyncMode } from '../ports/store.js';
import { decideAsync } from './async-decision.js';

const mode = fc.constantFrom<AsyncMode>('sync', 'async', 'client');

describe('async decided by the deployment', () => {
  it('a Genesys start (no ask) is async only where the deployment says async', () => {
    expect(decideAsync({ mode: 'client' }, {})).toBe(false);
    expect(decideAsync({ mode: 'async' }, {})).toBe(true);
    expect(decideAsync({ mode: 'client', endpoints: { async: 'async' } }, { endpoint: 'async' })).toBe(true);
    expect(decideAsync({ mode: 'client', endpoints: { async: 'async' } }, { endpoint: 'default' })).toBe(false);
  });

  it('endpoint names match in any case and override the default', () => {
    expect(decideAsync({ mode: 'async', endpoints: { Billing: 'sync' } }, { endpoint: 'BILLING' })).toBe(false);
    expect(decideAsync({ mode: 'sync', endpoints: { 'Async-Chat': 'async' } }, { endpoint: 'async-chat' })).toBe(true);
  });

  it("the start's ask counts only where the mode is client", () => {
    fc.assert(
      fc.property(mode, fc.option(mode, { nil: undefined }), fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), fc.option(fc.boolean(), { nil: undefined }), (def, ep, name, asked) => {
        const policy = { mode: def, ...(ep ? { endpoints: { [name]: ep } } : {}) };
        const effective = ep ?? def;
        expect(decideAsync(policy, { endpoint: name.toUpperCase(), asked })).toBe(effective === 'async' || (effective === 'client' && asked === true));
        // Without naming an endpoint only the default counts.
        expect(decideAsync(policy, { asked })).toBe(def === 'async' || (def === 'client' && asked === true));
      }),
    );
  });
});
