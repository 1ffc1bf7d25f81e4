/**
 * Issue 13, finding 9: the agent desktop and the demo page cannot be framed by another site and run
 * only this server's scripts; widget assets and API answers stay loadable from customers' pages.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineHashes } from '../../src/http/security-headers.js';
import { startServer, type Running } from '../helpers.js';

const root = resolve(import.meta.dirname, '../../../..');
const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0]!, d.slice(1)]),
  );

describe('security headers', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  for (const page of ['/desktop/', '/desktop/index.html', '/']) {
    it(`${page} cannot be framed and allows scripts from this server only`, async () => {
      const r = await fetch(srv.url + page);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = directives(r.headers.get('content-security-policy'));
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('script-src')?.[0]).toBe("'self'");
      expect(csp.get('script-src')?.join(' ')).not.toMatch(/unsafe|\*/);
    });
  }

  it('the demo page’s own inline script and style are allowed by their hashes, nothing else inline', async () => {
    const html = readFileSync(resolve(root, 'packages/widgets/demo/index.html'), 'utf8');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const expected = `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
    expect(inlineHashes(html).scripts).toEqual([expected]);
    const csp = directives((await fetch(srv.url + '/')).headers.get('content-security-policy'));
    expect(csp.get('script-src')).toEqual(["'self'", expected]);
    expect(csp.get('style-src')).toEqual(["'self'", ...inlineHashes(html).styles]);
  });

  for (const asset of ['/widgets/widgets.min.js', '/widgets/widgets.min.css']) {
    it(`${asset} loads from other origins (no same-origin resource policy) and is never sniffed`, async () => {
      const r = await fetch(srv.url + asset, { headers: { origin: 'https://shop.example' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    });
  }

  it('API answers are not sniffed and stay readable cross-origin', async () => {
    const r = await fetch(srv.url + '/health');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(directives(r.headers.get('content-security-policy')).get('default-src')).toEqual(["'none'"]);
  });
});
