import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import { trailingSlashRewriter } from './trailing-slash.js';

const rewrite = trailingSlashRewriter(['/genesys/2/chat', '/nexus/v3/chat/sessions']);
const at = (url: string) => rewrite({ url } as IncomingMessage);
const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
const query = fc.option(fc.stringMatching(/^[a-z]=[a-z0-9/]{0,8}$/), { nil: undefined });

describe('trailingSlashRewriter', () => {
  it('drops one trailing slash under an API prefix and keeps the query as it is', () => {
    fc.assert(
      fc.property(fc.constantFrom('/genesys/2/chat', '/nexus/v3/chat/sessions'), fc.array(segment, { maxLength: 4 }), query, (prefix, rest, q) => {
        const path = [prefix, ...rest].join('/');
        const suffix = q === undefined ? '' : `?${q}`;
        expect(at(`${path}/${suffix}`)).toBe(`${path}${suffix}`);
        expect(at(`${path}${suffix}`)).toBe(`${path}${suffix}`);
      }),
    );
  });

  it('leaves every other path alone (static folders keep their index URLs)', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (parts) => {
        const path = `/${parts.join('/')}/`;
        fc.pre(!path.startsWith('/genesys/2/chat/') && !path.startsWith('/nexus/v3/chat/sessions/'));
        expect(at(path)).toBe(path);
      }),
    );
    expect(at('/')).toBe('/');
    expect(at('/desktop/')).toBe('/desktop/');
    expect(at('/genesys/2/chatty/')).toBe('/genesys/2/chatty/');
    expect(at('/genesys/2/chat/x//')).toBe('/genesys/2/chat/x//');
  });
});
