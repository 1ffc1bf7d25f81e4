import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrl } from './log-redaction.js';

describe('redactUrl', () => {
  it('hides the value of every credential parameter and keeps the rest of the URL as it was', () => {
    const name = fc.constantFrom('sig', 'jwt', 'secureKey', 'token', 'apikey', 'alias', 'userId', 'operationId', 'count');
    const value = fc.stringMatching(/^[A-Za-z0-9._~-]{8,40}$/);
    fc.assert(
      fc.property(fc.stringMatching(/^\/[a-z0-9/]{0,30}$/), fc.array(fc.tuple(name, value), { maxLength: 6 }), (path, params) => {
        const url = params.length ? `${path}?${params.map(([k, v]) => `${k}=${v}`).join('&')}` : path;
        const out = redactUrl(url);
        const secret = new Set(['sig', 'jwt', 'securekey', 'token', 'apikey']);
        expect(out.startsWith(path)).toBe(true);
        for (const [k, v] of params) {
          if (secret.has(k.toLowerCase())) expect(out).not.toContain(`${k}=${v}`);
          else expect(out).toContain(`${k}=${v}`);
        }
      }),
    );
  });

  it("redacts a single sign-on callback's one-time code and state", () => {
    expect(redactUrl('/agent/v1/sso/callback?code=abc123&state=xyz&iss=https%3A%2F%2Fid')).toBe('/agent/v1/sso/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fid');
  });

  it('redacts names written in another case or percent-encoded', () => {
    expect(redactUrl('/x?SIG=abc&%73ig=def&n=1')).toBe('/x?SIG=[redacted]&%73ig=[redacted]&n=1');
  });
});
