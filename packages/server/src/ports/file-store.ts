export interface FileStore {
  put(id: string, bytes: Buffer): Promise<void>;
  get(id: string): Promise<Buffer | null>;
  /** Removes a file for good (retention, erasure); a file that is not there is no error. */
  delete(id: string): Promise<void>;
}
