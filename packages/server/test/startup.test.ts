import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

function run(env: Record<string, string>, args: string[] = [], untilLine?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts', ...args], { cwd: root, env: { ...process.env, ...env } });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (untilLine && untilLine.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => done({ code, out }));
    setTimeout(() => child.kill('SIGKILL'), 20_000);
  });
}

describe('npm start', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/protocol'], { cwd: root });
  });

  it('prints the demo API key and agent credentials, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-start-'));
    const r = await run(
      {
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATABASE_URL: `sqlite:${join(dir, 'p.db')}`,
        PARLEY_DATA_DIR: dir,
        PARLEY_DEMO_API_KEY: 'fixed-demo-key',
        PARLEY_DEMO_AGENT_USER: 'alice',
        PARLEY_DEMO_AGENT_PASSWORD: 'alice-password',
      },
      [],
      /demo agent:/,
    );
    expect(r.out).toMatch(/API key: fixed-demo-key/);
    expect(r.out).toMatch(/demo agent: user "alice" password "alice-password"/);
    expect(r.code).toBe(0);
  });

  it('refuses a bad configuration with a clear message and exit code 2', async () => {
    const r = await run({ PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/parley: invalid configuration:\n\s+PORT:/);
  });
});
