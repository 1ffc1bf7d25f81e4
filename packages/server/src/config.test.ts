import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8080);
    expect(c.DATABASE_URL).toBe('sqlite:./data/parley.db');
    expect(c.LONG_POLL_MS).toBe(8000);
    expect(c.CONSUMER_V3_PREFIX).toBe('/nexus/v3/chat/sessions');
  });

  it('reads CLI flags over environment variables', () => {
    expect(loadConfig({ PORT: '9000' }, ['--port', '9100']).PORT).toBe(9100);
    expect(loadConfig({}, ['--long-poll-ms=5000']).LONG_POLL_MS).toBe(5000);
  });

  it('explains bad values instead of crashing later', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: .*\(got "eighty"\)/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with sqlite:/);
    expect(() => loadConfig({ LONG_POLL_MS: '9000' })).toThrow(/gives up after 9 s/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({}, ['--nope=1'])).toThrow(/unknown flag --nope/);
    expect(() => loadConfig({}, ['--port'])).toThrow(/needs a value/);
  });

  it('agent presence graces: defaults, and the Handling grace is not shorter than the disconnect grace', () => {
    const c = loadConfig({});
    expect([c.AGENT_DISCONNECT_GRACE_SECONDS, c.AGENT_HANDLING_GRACE_SECONDS]).toEqual([20, 180]);
    expect(loadConfig({ AGENT_DISCONNECT_GRACE_SECONDS: '2', AGENT_HANDLING_GRACE_SECONDS: '2' }).AGENT_HANDLING_GRACE_SECONDS).toBe(2);
    expect(() => loadConfig({ AGENT_DISCONNECT_GRACE_SECONDS: '30', AGENT_HANDLING_GRACE_SECONDS: '10' })).toThrow(
      /AGENT_HANDLING_GRACE_SECONDS: must not be less than AGENT_DISCONNECT_GRACE_SECONDS/,
    );
    expect(() => loadConfig({ AGENT_DISCONNECT_GRACE_SECONDS: '0' })).toThrow(/AGENT_DISCONNECT_GRACE_SECONDS/);
  });

  it('never echoes secrets in its errors', () => {
    try {
      loadConfig({ PARLEY_SECRET: 'short-secret' });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).toMatch(/PARLEY_SECRET: must be at least 32 characters/);
      expect(String(err)).not.toContain('short-secret');
    }
  });

  it('TRUST_PROXY: any list of addresses and CIDRs is kept as given; anything else is refused, never trusted', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    const entry = fc.oneof(
      v4,
      fc.tuple(v4, fc.nat(32)).map(([a, b]) => `${a}/${b}`),
      fc.ipV6(),
      fc.constantFrom('loopback', 'linklocal', 'uniquelocal'),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (list) => {
        expect(loadConfig({ TRUST_PROXY: list.join(',') }).TRUST_PROXY).toEqual(list);
      }),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (junk) => {
        let parsed: unknown;
        try {
          parsed = loadConfig({ TRUST_PROXY: junk }).TRUST_PROXY;
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          return;
        }
        // What is accepted is nothing, a hop count, or a list of valid entries: never "trust everyone".
        expect(parsed === false || typeof parsed === 'number' || Array.isArray(parsed)).toBe(true);
        expect(parsed).not.toBe(true);
      }),
    );
  });

  it('FILE_STORE: auto by default; s3 needs a bucket and both keys or neither, and never echoes the secret key', () => {
    expect(loadConfig({}).FILE_STORE).toBe('auto');
    expect(() => loadConfig({ FILE_STORE: 's3' })).toThrow(/S3_BUCKET: is required with FILE_STORE=s3/);
    expect(() => loadConfig({ FILE_STORE: 's3', S3_BUCKET: 'files', S3_SECRET_ACCESS_KEY: 'very-secret-key-1' })).toThrow(ConfigError);
    try {
      loadConfig({ FILE_STORE: 's3', S3_BUCKET: 'files', S3_SECRET_ACCESS_KEY: 'very-secret-key-1' });
    } catch (err) {
      expect(String(err)).not.toContain('very-secret-key-1');
    }
    const c = loadConfig({ FILE_STORE: 's3', S3_BUCKET: 'files', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true' });
    expect(c).toMatchObject({ S3_BUCKET: 'files', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: true, S3_PREFIX: 'files/', S3_REGION: 'us-east-1' });
    expect(() => loadConfig({ S3_ENDPOINT: 'ftp://x' })).toThrow(/S3_ENDPOINT/);
  });

  it('SSO: off by default; with an issuer it needs a client id and a role map (or a default role); the map is value=role pairs', () => {
    expect(loadConfig({}).SSO_ISSUER).toBeUndefined();
    expect(() => loadConfig({ SSO_ISSUER: 'https://id.example.com' })).toThrow(/SSO_CLIENT_ID: is required/);
    expect(() => loadConfig({ SSO_ISSUER: 'https://id.example.com', SSO_CLIENT_ID: 'parley' })).toThrow(/SSO_ROLE_MAP: is required/);
    expect(() => loadConfig({ SSO_ROLE_MAP: 'admins=root' })).toThrow(/must be value=agent/);
    const c = loadConfig({ SSO_ISSUER: 'https://id.example.com', SSO_CLIENT_ID: 'parley', SSO_ROLE_MAP: ' cn=admins=admin , support=agent' });
    expect([...c.SSO_ROLE_MAP]).toEqual([
      ['cn=admins', 'admin'],
      ['support', 'agent'],
    ]);
    expect(loadConfig({ SSO_ISSUER: 'https://id.example.com', SSO_CLIENT_ID: 'parley', SSO_DEFAULT_ROLE: 'agent' }).SSO_ROLE_MAP.size).toBe(0);
  });
});
