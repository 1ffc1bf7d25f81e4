export type Role = 'agent' | 'supervisor' | 'admin';

export interface Account {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  createdAt: string;
  /** Staff tokens carry the generation they were signed at; raising it revokes every earlier token. */
  tokenGeneration: number;
  /** A disabled account cannot log in and its tokens are refused. */
  disabled: boolean;
}

/**
 * Staff accounts. Contract: usernames are unique (a duplicate insert fails); `listAccounts` is by
 * username in byte order.
 */
export interface AccountStore {
  insertAccount(a: Account): Promise<void>;
  getAccount(id: string): Promise<Account | null>;
  getAccountByUsername(username: string): Promise<Account | null>;
  listAccounts(): Promise<Account[]>;
  updateAccount(id: string, patch: Partial<Pick<Account, 'displayName' | 'role' | 'passwordHash' | 'tokenGeneration' | 'disabled'>>): Promise<void>;
  updateAccountPassword(id: string, passwordHash: string): Promise<void>;
}
