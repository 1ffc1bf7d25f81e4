import type { Redis } from 'ioredis';
import type { WorkCounts } from '../ports/work-counts.js';

/** Counts every command the client sends (its own re-subscriptions and ready checks included), by name. */
export function countCommands(client: Redis, work: WorkCounts): void {
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
    work.add(command.name.toUpperCase());
    return send(command, stream);
  }) as Redis['sendCommand'];
}
