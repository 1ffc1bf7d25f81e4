import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { ChatError } from '../core/errors.js';
import { contentMatchesType } from './file-sniff.js';

/** Bytes the content check of every type but text/plain needs (webp: RIFF....WEBP). */
const HEAD_BYTES = 12;

/**
 * Passes an upload's bytes through to the file store while checking them, so a file is stored as it
 * arrives, never held whole in memory: the first bytes must match the declared type
 * (`file-sniff.ts`), text/plain must hold no NUL anywhere, and a file cut at the size limit fails.
 * A failed check errors the stream, so the store keeps nothing of it.
 */
export class UploadCheck extends Transform {
  size = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  private headChecked = false;

  constructor(
    private readonly mime: string,
    /** Whether the multipart parser cut the file at the size limit (read once the file has ended). */
    private readonly truncated: () => boolean,
    private readonly maxBytes: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return done(tooLarge(this.maxBytes));
    if (this.mime === 'text/plain' && chunk.includes(0)) return done(notOfType(this.mime));
    if (this.headChecked) return done(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < HEAD_BYTES) return done();
    this.flushHead(done);
  }

  override _flush(done: TransformCallback): void {
    if (this.truncated()) return done(tooLarge(this.maxBytes));
    if (this.headChecked) return done();
    this.flushHead(done);
  }

  private flushHead(done: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.headChecked = true;
    if (!contentMatchesType(this.mime, head)) return done(notOfType(this.mime));
    done(null, head);
  }
}

/**
 * `file` (a multipart part's stream) through an UploadCheck. When the check fails, the rest of the
 * part is read and dropped (at most the size limit), so the multipart parser reaches the end of the
 * request and the refusal is answered; an error of the part fails the check.
 */
export function checkedUpload(file: Readable & { truncated?: boolean }, mime: string, maxBytes: number): UploadCheck {
  const check = new UploadCheck(mime, () => file.truncated === true, maxBytes);
  file.on('error', (err) => check.destroy(err));
  check.on('error', () => {
    file.unpipe(check);
    file.resume();
  });
  return file.pipe(check);
}

const tooLarge = (max: number) => new ChatError('PAYLOAD_TOO_LARGE', `the file is larger than ${max} bytes`);
const notOfType = (mime: string) => new ChatError('UNSUPPORTED_MEDIA_TYPE', `the file's content is not ${mime}`);
