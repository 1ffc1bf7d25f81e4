export interface StoredFile {
  id: string;
  sessionId: string;
  name: string;
  mime: string;
  size: number;
  createdAt: string;
}

/** Metadata of uploaded files (the bytes are the FileStore port's). Contract: a file needs its session. */
export interface FileRecordStore {
  insertFile(f: StoredFile): Promise<void>;
  getFile(id: string): Promise<StoredFile | null>;
}
