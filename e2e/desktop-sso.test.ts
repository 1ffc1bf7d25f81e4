/**
 * The desktop's "Sign in with SSO" in Chromium: the button the server offers, the trip through a
 * real OpenID Connect provider (oidc-provider, started here) and back, the desktop signed in with
 * the new account and the token gone from the address bar; a refused sign-in shows its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axe } from './desktop-helpers.js';
import { closeServerAndBrowser, openServerAndBrowser, watch, type TestServer } from './helpers.js';
import { startOidcProvider, type TestIdp } from '../packages/server/test/oidc-server.js';

let idp: TestIdp;
let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  idp = await startOidcProvider();
  ({ s, browser } = await openServerAndBrowser({
    SSO_ISSUER: idp.issuer,
    SSO_CLIENT_ID: idp.clientId,
    SSO_CLIENT_SECRET: idp.clientSecret,
    SSO_SCOPES: 'openid profile email groups',
    SSO_ROLE_MAP: 'support=agent,support-leads=supervisor',
    SSO_LABEL: 'Sign in with Example ID',
  }));
  idp.register(`${s.url}/agent/v1/sso/callback`);
  idp.users.set('dana-sub', { preferred_username: 'dana', name: 'Dana Example', groups: ['support-leads'] });
  idp.users.set('eve-sub', { preferred_username: 'eve', groups: ['marketing'] });
});
afterAll(async () => {
  await closeServerAndBrowser(s, browser);
  await idp?.close();
});

describe('desktop: single sign-on', () => {
  it('signs in through the identity provider with the button, as the account the claims make', async () => {
    const page = await (await browser.newContext()).newPage();
    const seen = watch(page);
    idp.signInAs('dana-sub');
    await page.goto(`${s.url}/desktop/`);
    await page.getByRole('link', { name: 'Sign in with Example ID' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('parley.desktop.token'))).toBeTruthy();
    await page.getByText('Dana Example').first().waitFor();
    // A supervisor's views are there (role from the groups claim).
    const me = await page.evaluate(() => fetch('/agent/v1/me', { headers: { authorization: `Bearer ${sessionStorage.getItem('parley.desktop.token')}` } }).then((r) => r.json()));
    expect(me.account).toMatchObject({ username: 'dana', role: 'supervisor' });
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });

  it('the login form with its SSO button has no serious axe violation, and the button is reached by keyboard', async () => {
    // axe is injected inline: this context bypasses the page's CSP.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${s.url}/desktop/`);
    await page.getByRole('link', { name: 'Sign in with Example ID' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await page.getByLabel('Username').focus();
    // Username, Password, (Sign in is disabled while the fields are empty), the SSO link.
    for (let i = 0; i < 2; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-sso');
    await page.context().close();
  });

  it('a user the provider knows but Parley has no role for sees why, on the login form', async () => {
    const page = await (await browser.newContext()).newPage();
    idp.signInAs('eve-sub');
    await page.goto(`${s.url}/desktop/`);
    await page.getByRole('link', { name: 'Sign in with Example ID' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('no Parley role');
    expect(new URL(page.url()).hash).toBe('');
    await page.getByLabel('Username').waitFor();
    await page.context().close();
  });
});
