import { randomUUID } from 'node:crypto';
import { Agent } from './helpers.js';

/** The form encoding of jQuery.param, as the Genesys Widgets client sends it: brackets as %5B %5D, spaces as +. */
export function jqueryForm(fields: [string, string | number][]): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return fields.map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join('&');
}

export const FORM_TYPE = 'application/x-www-form-urlencoded; charset=UTF-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

/** A browser's multipart body: the file part, then the plain fields, with a WebKit-style boundary. */
export function browserMultipart(file: { name: string; type: string; bytes: Buffer }, fields: [string, string][] = []): { type: string; body: Buffer } {
  const boundary = `----WebKitFormBoundary${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const parts: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.bytes, Buffer.from('\r\n')];
  for (const [k, v] of fields) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000200a2d5d6bd0000000049454e44ae426082', 'hex');

/** An agent (the demo one unless given) takes the session's interaction and says `text`. */
export async function agentJoinsAndSays(base: string, sessionId: string, text: string, given?: Agent): Promise<Agent> {
  const agent = given ?? (await new Agent(base).login());
  await agent.acceptFor(sessionId);
  const r = await agent.call('POST', `/sessions/${sessionId}/messages`, { text });
  if (r.status !== 200) throw new Error(`agent send failed: ${r.status} ${JSON.stringify(r.body)}`);
  return agent;
}

/** Retries `read` until `pred` holds over its answer (polls answer empty when nothing is new). */
export async function until<T>(read: () => Promise<T>, pred: (v: T) => boolean, tries = 30): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met; last: ${JSON.stringify(last)}`);
}
