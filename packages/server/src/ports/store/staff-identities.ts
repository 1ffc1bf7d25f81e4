/** A staff account's identity at an OpenID Connect provider: the provider's `iss` and the user's `sub` there. */
export interface StaffIdentity {
  issuer: string;
  subject: string;
  accountId: string;
  createdAt: string;
}

/** Staff identities (single sign-on): an (issuer, subject) pair belongs to at most one account. */
export interface StaffIdentityStore {
  getStaffIdentity(issuer: string, subject: string): Promise<StaffIdentity | null>;
  /** Links the identity to its account; a second link of the same pair fails (primary key). */
  insertStaffIdentity(identity: StaffIdentity): Promise<void>;
  /** The identities linked to an account, oldest first. */
  listStaffIdentities(accountId: string): Promise<StaffIdentity[]>;
}
