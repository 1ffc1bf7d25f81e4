/**
 * Staff single sign-on against a real OpenID Connect provider (oidc-provider, started here): the
 * desktop's "Sign in with SSO" path from the start redirect to the staff token, accounts made and
 * linked on the first sign-in by (issuer, subject), roles mapped from the groups claim (and kept in
 * line at each sign-in), users without a role and disabled accounts refused, local passwords kept.
 */
import { agentResponses } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, createTestData, http, startServer, type Running } from './helpers.js';
import { followRedirects, startOidcProvider, type TestIdp } from './oidc-server.js';

describe('staff single sign-on (OpenID Connect)', () => {
  let idp: TestIdp;
  let srv: Running;
  let admin = '';

  beforeAll(async () => {
    idp = await startOidcProvider();
    srv = await startServer({
      SSO_ISSUER: idp.issuer,
      SSO_CLIENT_ID: idp.clientId,
      SSO_CLIENT_SECRET: idp.clientSecret,
      SSO_SCOPES: 'openid profile email groups',
      SSO_ROLE_MAP: 'support=agent,support-leads=supervisor,parley-admins=admin',
      SSO_LABEL: 'Sign in with Example ID',
    });
    idp.register(`${srv.url}/agent/v1/sso/callback`);
    idp.users.set('alice-sub', { preferred_username: 'alice', name: 'Alice Example', email: 'alice@example.com', groups: ['support'] });
    idp.users.set('bob-sub', { preferred_username: 'bob', name: 'Bob', groups: ['support', 'parley-admins'] });
    idp.users.set('carol-sub', { preferred_username: 'carol', groups: ['marketing'] });
    idp.users.set('agent-sub', { preferred_username: AGENT.username, groups: ['support'] });
    admin = (await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username: 'admin', password: AGENT.password } })).body.token;
  });
  afterAll(async () => {
    await srv?.close();
    await idp?.close();
  });

  /** The desktop's button: the browser goes through the provider and comes back to /desktop/#… */
  async function signIn(subject: string): Promise<{ token?: string; error?: string }> {
    idp.signInAs(subject);
    const back = await followRedirects(`${srv.url}/agent/v1/sso/start`, `${srv.url}/desktop/`);
    const fragment = new URLSearchParams(back.hash.slice(1));
    return { ...(fragment.get('sso-token') ? { token: fragment.get('sso-token')! } : {}), ...(fragment.get('sso-error') ? { error: fragment.get('sso-error')! } : {}) };
  }
  const me = (token: string) => http(`${srv.url}/agent/v1/me`, { headers: { authorization: `Bearer ${token}` } });

  it('tells the login page to show the button, with its label', async () => {
    const info = (await http(`${srv.url}/agent/v1/sso`)).body;
    expect(agentResponses.sso.parse(info)).toEqual({ enabled: true, label: 'Sign in with Example ID' });
  });

  it('a first sign-in creates the account (role from the groups claim) and hands out a staff token; the next one finds the same account', async () => {
    const first = await signIn('alice-sub');
    expect(first.error).toBeUndefined();
    const who = await me(first.token!);
    expect(who.status).toBe(200);
    expect(who.body.account).toMatchObject({ username: 'alice', displayName: 'Alice Example', role: 'agent' });
    const again = await signIn('alice-sub');
    expect((await me(again.token!)).body.account.id).toBe(who.body.account.id);
    // The account has no password anyone knows: only SSO signs it in.
    expect((await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username: 'alice', password: 'anything-at-all' } })).status).toBe(401);
  });

  it('maps the strongest of several groups; an admin from SSO reaches the admin API', async () => {
    const bob = await signIn('bob-sub');
    expect((await me(bob.token!)).body.account.role).toBe('admin');
    expect((await http(`${srv.url}/admin/v1/agents`, { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(200);
  });

  it('a role changed at the provider applies at the next sign-in and revokes the tokens of the old role', async () => {
    const before = await signIn('alice-sub');
    idp.users.get('alice-sub')!.groups = ['support-leads'];
    const after = await signIn('alice-sub');
    expect((await me(after.token!)).body.account.role).toBe('supervisor');
    expect((await me(before.token!)).status).toBe(401);
    idp.users.get('alice-sub')!.groups = ['support'];
  });

  it('refuses a user none of whose groups maps to a role, and makes no account', async () => {
    const carol = await signIn('carol-sub');
    expect(carol.token).toBeUndefined();
    expect(carol.error).toMatch(/no Parley role/);
    const list = await http(`${srv.url}/admin/v1/agents`, { headers: { authorization: `Bearer ${admin}` } });
    expect(JSON.stringify(list.body)).not.toContain('carol');
  });

  it('refuses a disabled account', async () => {
    const alice = await signIn('alice-sub');
    const id = (await me(alice.token!)).body.account.id;
    const disabled = await http(`${srv.url}/admin/v1/agents/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}` }, json: { disabled: true } });
    expect(disabled.status).toBe(200);
    const refused = await signIn('alice-sub');
    expect(refused.token).toBeUndefined();
    expect(refused.error).toMatch(/disabled/);
    await http(`${srv.url}/admin/v1/agents/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}` }, json: { disabled: false } });
  });

  it('does not take over a local account of the same username (SSO_LINK_BY_USERNAME unset); its password still works', async () => {
    const taken = await signIn('agent-sub');
    expect(taken.token).toBeUndefined();
    expect(taken.error).toMatch(/already exists/);
    expect((await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: AGENT })).status).toBe(200);
  });

  it('a callback that was not started by this browser (no sign-in cookie), or forged, is refused', async () => {
    const bare = await fetch(`${srv.url}/agent/v1/sso/callback?code=abc&state=def`, { redirect: 'manual' });
    expect(bare.status).toBe(303);
    expect(decodeURIComponent(bare.headers.get('location')!)).toMatch(/#sso-error=this sign-in was not started here/);
    const forged = await fetch(`${srv.url}/agent/v1/sso/callback?code=abc&state=def`, { redirect: 'manual', headers: { cookie: 'parley_sso=eyJhbGciOiJIUzI1NiJ9.e30.x' } });
    expect(decodeURIComponent(forged.headers.get('location')!)).toMatch(/#sso-error=this sign-in was not started here/);
  });

  it('the start sets the sign-in cookie only for the callback, HttpOnly', async () => {
    const start = await fetch(`${srv.url}/agent/v1/sso/start`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    expect(start.headers.get('location')).toMatch(new RegExp(`^${idp.issuer}/`));
    expect(start.headers.get('location')).toContain('code_challenge_method=S256');
    expect(start.headers.get('set-cookie')).toMatch(/^parley_sso=[^;]+; Path=\/agent\/v1\/sso\/callback; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });
});

describe('single sign-on across nodes', () => {
  it('a sign-in started on node 1 is finished by node 2 (the callback), and the token works on node 1', async () => {
    const idp = await startOidcProvider();
    const data = await createTestData();
    const sso = {
      PARLEY_SECRET: 'sso-nodes-secret-'.padEnd(48, 'x'),
      SSO_ISSUER: idp.issuer,
      SSO_CLIENT_ID: idp.clientId,
      SSO_CLIENT_SECRET: idp.clientSecret,
      SSO_SCOPES: 'openid profile groups',
      SSO_ROLE_MAP: 'support=agent',
    };
    const two = await startServer(sso, undefined, { data });
    const one = await startServer({ ...sso, PARLEY_DEMO: 'false', SSO_REDIRECT_URI: `${two.url}/agent/v1/sso/callback` }, undefined, { data });
    try {
      idp.register(`${two.url}/agent/v1/sso/callback`);
      idp.users.set('fay-sub', { preferred_username: 'fay', groups: ['support'] });
      idp.signInAs('fay-sub');
      const back = await followRedirects(`${one.url}/agent/v1/sso/start`, `${two.url}/desktop/`);
      const token = new URLSearchParams(back.hash.slice(1)).get('sso-token');
      expect(decodeURIComponent(back.hash)).toMatch(/^#sso-token=/);
      expect(token).toBeTruthy();
      const me = await http(`${one.url}/agent/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.body.account).toMatchObject({ username: 'fay', role: 'agent' });
    } finally {
      await Promise.all([one.close(), two.close()]);
      await data.drop();
      await idp.close();
    }
  });
});

describe('single sign-on with the provider unreachable', () => {
  it('the start answers 503 (retry later) and the password login still works', async () => {
    const srv = await startServer({ SSO_ISSUER: 'http://127.0.0.1:1', SSO_CLIENT_ID: 'parley', SSO_ROLE_MAP: 'support=agent' });
    try {
      const start = await http(`${srv.url}/agent/v1/sso/start`, { redirect: 'manual' });
      expect(start.status).toBe(503);
      expect(start.headers.get('retry-after')).toBe('5');
      expect(start.body.status.message).toMatch(/identity provider cannot be reached/);
      expect((await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: AGENT })).status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});

describe('single sign-on not configured', () => {
  it('the login page shows no button, and start and callback do not exist', async () => {
    const srv = await startServer();
    try {
      expect((await http(`${srv.url}/agent/v1/sso`)).body).toEqual({ enabled: false });
      expect((await fetch(`${srv.url}/agent/v1/sso/start`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await srv.close();
    }
  });
});
