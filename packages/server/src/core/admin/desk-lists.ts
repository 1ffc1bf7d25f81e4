import type { CannedResponse, Store, WrapUpCode } from '../../ports/store.js';
import { ChatError } from '../errors.js';
import { newId } from '../ids.js';

/** The texts agents pick from in the desktop. */
export class CannedResponseAdmin {
  constructor(private readonly store: Store) {}

  async add(input: Omit<CannedResponse, 'id'>): Promise<CannedResponse> {
    const canned: CannedResponse = { id: newId(), title: input.title, text: input.text };
    await this.store.tx((tx) => tx.insertCannedResponse(canned));
    return canned;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.tx((tx) => tx.deleteCannedResponse(id)))) throw new ChatError('NOT_FOUND', 'no such canned response');
  }
}

/** The codes an agent closes an interaction with (an empty list accepts any code). */
export class WrapUpCodeAdmin {
  constructor(private readonly store: Store) {}

  /** Adds the code, or renames it when it exists. */
  async put(code: WrapUpCode): Promise<WrapUpCode> {
    await this.store.tx((tx) => tx.upsertWrapUpCode(code));
    return code;
  }

  async delete(code: string): Promise<void> {
    if (!(await this.store.tx((tx) => tx.deleteWrapUpCode(code)))) throw new ChatError('NOT_FOUND', 'no such code');
  }
}
