import { describe, expect, it } from 'vitest';
import { claimAt, roleFromClaims, usernameFromClaims } from './sso.js';

const roleMap = new Map([
  ['support', 'agent'],
  ['leads', 'supervisor'],
  ['parley-admins', 'admin'],
] as const);

describe('single sign-on claims', () => {
  it('maps a list or a single value; the strongest mapped value wins; unmapped values are ignored', () => {
    expect(roleFromClaims({ groups: ['support'] }, { roleClaim: 'groups', roleMap })).toBe('agent');
    expect(roleFromClaims({ groups: ['parley-admins', 'support', 'leads'] }, { roleClaim: 'groups', roleMap })).toBe('admin');
    expect(roleFromClaims({ groups: 'leads' }, { roleClaim: 'groups', roleMap })).toBe('supervisor');
    expect(roleFromClaims({ groups: ['marketing', 7, null] }, { roleClaim: 'groups', roleMap })).toBeNull();
    expect(roleFromClaims({}, { roleClaim: 'groups', roleMap })).toBeNull();
    // Values match exactly (no case folding, no prefixes).
    expect(roleFromClaims({ groups: ['Support', 'support-x'] }, { roleClaim: 'groups', roleMap })).toBeNull();
  });

  it('falls back to the default role only when no value maps', () => {
    expect(roleFromClaims({ groups: ['marketing'] }, { roleClaim: 'groups', roleMap, defaultRole: 'agent' })).toBe('agent');
    expect(roleFromClaims({ groups: ['leads'] }, { roleClaim: 'groups', roleMap, defaultRole: 'agent' })).toBe('supervisor');
  });

  it('reads a dotted path into objects (Keycloak realm_access.roles), a flat claim with dots first', () => {
    const claims = { realm_access: { roles: ['leads'] }, 'https://example.com/roles': ['parley-admins'] };
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['leads']);
    expect(roleFromClaims(claims, { roleClaim: 'realm_access.roles', roleMap })).toBe('supervisor');
    expect(roleFromClaims(claims, { roleClaim: 'https://example.com/roles', roleMap })).toBe('admin');
    expect(claimAt({ a: ['x'] }, 'a.b')).toBeUndefined();
  });

  it('a username from the claim: trimmed, no control characters, not empty, at most 100 characters', () => {
    expect(usernameFromClaims({ preferred_username: '  ann\u0007 ' }, 'preferred_username')).toBe('ann');
    expect(usernameFromClaims({ preferred_username: '\u0001' }, 'preferred_username')).toBeNull();
    expect(usernameFromClaims({ preferred_username: 'x'.repeat(101) }, 'preferred_username')).toBeNull();
    expect(usernameFromClaims({ email: 42 }, 'email')).toBeNull();
  });
});
