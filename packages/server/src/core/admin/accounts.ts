import type { Clock } from '../../ports/clock.js';
import type { Account, AgentProfile, Role, Store } from '../../ports/store.js';
import { ChatError } from '../errors.js';
import { newId } from '../ids.js';
import { defaultProfile } from '../routing-service.js';
import { hashPassword } from '../secrets.js';
import type { StaffAuth } from '../staff-auth.js';
import { updateStaffAccount, type StaffAccountPatch } from '../staff-accounts.js';

/** A staff account with its routing profile (an account without one has the default profile). */
export interface StaffMember {
  account: Account;
  profile: AgentProfile;
}

export interface NewStaffAccount {
  username: string;
  password: string;
  displayName: string;
  role: Role;
  capacity: number;
  skills: Record<string, number>;
  languages: string[];
  queues: string[];
}

/** Staff accounts (agents, supervisors, admins) and their routing profiles. */
export class AccountAdmin {
  constructor(
    private readonly store: Store,
    private readonly auth: StaffAuth,
    private readonly clock: Clock,
  ) {}

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  list(): Promise<StaffMember[]> {
    return this.store.tx(async (tx) => {
      const members: StaffMember[] = [];
      for (const account of await tx.listAccounts()) members.push({ account, profile: (await tx.getProfile(account.id)) ?? defaultProfile(account.id, this.nowIso()) });
      return members;
    });
  }

  /** Creates an account (usernames are unique) with its routing profile. */
  async create(input: NewStaffAccount): Promise<StaffMember> {
    const now = this.nowIso();
    const account: Account = {
      id: newId(),
      username: input.username,
      displayName: input.displayName,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      createdAt: now,
      tokenGeneration: 0,
      disabled: false,
    };
    const profile: AgentProfile = { ...defaultProfile(account.id, now), capacity: input.capacity, skills: input.skills, languages: input.languages, queues: input.queues };
    await this.store.tx(async (tx) => {
      if (await tx.getAccountByUsername(input.username)) throw new ChatError('CONFLICT', `username ${input.username} is taken`);
      await tx.insertAccount(account);
      await tx.upsertProfile(profile);
    });
    return { account, profile };
  }

  /** Changes the fields given (see updateStaffAccount: revocation, the last admin). */
  async update(id: string, patch: StaffAccountPatch): Promise<StaffMember> {
    const account = await updateStaffAccount(this.store, this.auth, id, patch, this.nowIso());
    const profile = (await this.store.tx((tx) => tx.getProfile(id))) ?? defaultProfile(id, this.nowIso());
    return { account, profile };
  }
}
