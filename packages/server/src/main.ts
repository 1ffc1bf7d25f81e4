import { ConfigError, loadConfig } from './config.js';
import { buildParley } from './app.js';
import { chooseLogFormat } from './logging.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`parley: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const parley = await buildParley(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    parley.app.log.info({ signal, drainDelayMs: config.SHUTDOWN_DELAY_MS }, 'shutting down: /ready answers 503, then long polls are answered and sockets closed (1012)');
    await parley.close({ drainDelayMs: config.SHUTDOWN_DELAY_MS });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const address = await parley.app.listen({ port: config.PORT, host: config.HOST });
  const base = `http://localhost:${(parley.app.server.address() as { port: number }).port}`;
  const lines = [`Parley is listening on ${address}`, `  widget demo:   ${base}/`, `  agent desktop: ${base}/desktop/`, `  API docs:      ${base}/openapi.json`];
  const demo = parley.demo;
  if (demo) {
    lines.push(`  demo deployment "${demo.deploymentId}" API key: ${demo.apiKey}`);
    if (demo.created) {
      lines.push(
        `  demo workflow (server) key: ${demo.created.serverKey}`,
        `  demo agent: user "${demo.created.agentUser}" password "${demo.created.agentPassword}"`,
        `  more demo accounts with the same password: ${demo.accounts.slice(1).join(', ')}`,
        '  (these secrets are shown this once and not stored; set PARLEY_DEMO=false in production)',
      );
    } else {
      lines.push(`  demo accounts: ${demo.accounts.join(', ')} (passwords as shown at the first start, or as changed since)`);
    }
  }
  // The banner (demo secrets are in it, shown this once) is for the person at the terminal: beside
  // pretty log lines on stdout, or on stderr when stdout carries the JSON log, never inside it.
  const toTerminal = chooseLogFormat(config.LOG_FORMAT, Boolean(process.stdout.isTTY)) === 'pretty' ? process.stdout : process.stderr;
  toTerminal.write(`${lines.join('\n')}\n`);
}

main().catch((err) => {
  console.error(`parley: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
