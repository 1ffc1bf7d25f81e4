import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { FileStore } from '../ports/file-store.js';

export interface S3FileStoreOptions {
  bucket: string;
  /** Key prefix, e.g. `parley/files/`. */
  prefix: string;
  /** An S3-compatible service's address (MinIO, Ceph, R2...); unset: AWS S3 of the region. */
  endpoint?: string;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible services want. */
  forcePathStyle: boolean;
  /** Unset: the SDK's default credential chain (AWS_* variables, instance or task role, ...). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Uploaded files in an S3-compatible object store, one object per file, so every node reaches them.
 * A put streams the source up (a single PUT for a file under 5 MiB, a multipart upload of 5 MiB
 * parts for a larger one, so at most one part is held in memory; an upload that fails is aborted,
 * leaving no object); a get streams the object's body down.
 */
export class S3FileStore implements FileStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3FileStoreOptions) {
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      // Checksums only where the API requires them: many S3-compatible servers reject the newer trailing-checksum encoding.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.credentials) config.credentials = options.credentials;
    this.client = new S3Client(config);
  }

  private key(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad file id');
    return `${this.options.prefix}${id}`;
  }

  async put(id: string, source: Readable): Promise<void> {
    const upload = new Upload({ client: this.client, params: { Bucket: this.options.bucket, Key: this.key(id), Body: source }, queueSize: 1, leavePartsOnError: false });
    await upload.done();
  }

  async delete(id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(id) }));
  }

  async get(id: string): Promise<Readable | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(id) }));
      return (answer.Body as Readable | undefined) ?? null;
    } catch (err) {
      if (err instanceof NoSuchKey || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) return null;
      throw err;
    }
  }

  close(): void {
    this.client.destroy();
  }
}
