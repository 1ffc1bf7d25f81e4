import type { FastifyRequest } from 'fastify';
import { stripControlChars } from '@parley/protocol';
import { ChatError } from '../core/errors.js';
import { contentMatchesType } from './file-sniff.js';

export interface Upload {
  name: string;
  mime: string;
  bytes: Buffer;
  operationId?: string;
}

export interface UploadRules {
  maxBytes: number;
  /** Accepted MIME types (UPLOAD_TYPES); the bytes must match the declared one (file-sniff). */
  types: string[];
}

/**
 * Reads one multipart upload (field `file`, optional `operationId`) and applies the checks every
 * upload gets: at most `maxBytes` (413 from the multipart limit), an accepted type, and content that
 * is what the type says.
 */
export async function readUpload(req: FastifyRequest, rules: UploadRules): Promise<Upload> {
  if (!req.isMultipart()) throw new ChatError('INVALID_REQUEST', 'send the file as multipart/form-data in a field named "file"');
  let operationId: string | undefined;
  let upload: Omit<Upload, 'operationId'> | null = null;
  for await (const part of req.parts({ limits: { fileSize: rules.maxBytes, files: 1, fields: 5 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') throw new ChatError('INVALID_REQUEST', 'the file field must be named "file"');
      const bytes = await part.toBuffer();
      upload = { name: stripControlChars(part.filename).slice(0, 200) || 'file', mime: part.mimetype, bytes };
    } else if (part.fieldname === 'operationId' && typeof part.value === 'string') {
      operationId = stripControlChars(part.value).slice(0, 128);
    }
  }
  if (!upload) throw new ChatError('INVALID_REQUEST', 'no file in the "file" field');
  if (!rules.types.includes(upload.mime)) throw new ChatError('UNSUPPORTED_MEDIA_TYPE', `files of type ${upload.mime} are not accepted; allowed: ${rules.types.join(', ')}`);
  if (!contentMatchesType(upload.mime, upload.bytes)) throw new ChatError('UNSUPPORTED_MEDIA_TYPE', `the file's content is not ${upload.mime}`);
  return operationId ? { ...upload, operationId } : upload;
}
