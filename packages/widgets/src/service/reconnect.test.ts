import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildParley, type Parley } from '../../../server/src/app.js';
import { testConfig } from '../../../server/src/config.js';
import { API_KEY, clearCookies, openPage, setPageUrl, TestAgent, v3Config } from './server.testkit.js';

// A server that goes away and comes back on the same port with the same database and secret.
const dir = mkdtempSync(join(tmpdir(), 'parley-widgets-reconnect-'));
const config = testConfig({
  DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
  PARLEY_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
  PARLEY_DATA_DIR: dir,
  PARLEY_DEMO: 'true',
  PARLEY_DEMO_API_KEY: API_KEY,
  PARLEY_DEMO_AGENT_USER: 'agent',
  PARLEY_DEMO_AGENT_PASSWORD: 'agent-pass-1',
  LONG_POLL_MS: '500',
  PARLEY_DEMO_BOT: 'false',
});
let parley: Parley | undefined;
const listen = async (port = 0) => {
  parley = await buildParley(config);
  await parley.app.listen({ port, host: '127.0.0.1' });
  return (parley.app.server.address() as { port: number }).port;
};
afterAll(() => parley?.close());

it('publishes disconnected while the server is away, reconnected when it is back, and loses nothing', async () => {
  clearCookies();
  const port = await listen();
  const url = `http://127.0.0.1:${port}`;
  setPageUrl(url + '/page.html');
  const p = openPage(v3Config(url));
  const r = await p.cmd('WebChatService.startChat', { nickname: 'Flaky' });
  await p.next('clientConnected');

  await parley!.close();
  await p.next('disconnected', undefined, 10_000);
  await listen(port);
  await p.next('reconnected', undefined, 15_000);
  expect(p.named('disconnected')).toHaveLength(1);

  const agent = await new TestAgent(url).login();
  await agent.accept(r.data.sessionId);
  await agent.say(r.data.sessionId, 'still here');
  await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'still here'));
  const all = p.named('messageReceived').flatMap((e) => e.data.messages.map((m: any) => m.index));
  expect(new Set(all).size).toBe(all.length);
  await p.cmd('WebChatService.endChat');
}, 40_000);
