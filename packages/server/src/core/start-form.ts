import type { Deployment, StartFormField, StartFormSettings } from '../ports/store.js';
import { ChatError } from './errors.js';
import { isEmailAddress } from './transcript.js';

/** The built-in pre-chat form's fields, in the form's order. */
export const START_FORM_FIELDS = ['firstname', 'lastname', 'nickname', 'email', 'subject'] as const satisfies readonly StartFormField[];

/** How a refusal names each field to a person. */
const LABELS: Record<StartFormField, string> = { firstname: 'first name', lastname: 'last name', nickname: 'nickname', email: 'e-mail address', subject: 'subject' };

/** What a start carries of the form's fields (each API maps its own names onto these). */
export interface StartFormValues {
  firstName?: string;
  lastName?: string;
  nickname?: string;
  email?: string;
  subject?: string;
}

const valueOf = (v: StartFormValues, field: StartFormField): string =>
  ({ firstname: v.firstName, lastname: v.lastName, nickname: v.nickname, email: v.email, subject: v.subject })[field]?.trim() ?? '';

/** The fields the deployment's pre-chat form requires (none without `settings.form`). */
export function requiredStartFields(form: StartFormSettings | undefined): StartFormField[] {
  return START_FORM_FIELDS.filter((f) => form?.fields[f] === 'required');
}

/**
 * Refuses a start that lacks a field the deployment requires (or whose required e-mail address is
 * not one), naming every such field, so each customer API answers it as a 400 in its own format.
 */
export function checkStartForm(deployment: Deployment, values: StartFormValues): void {
  const wrong = requiredStartFields(deployment.settings?.form).filter((f) => {
    const value = valueOf(values, f);
    return !value || (f === 'email' && !isEmailAddress(value));
  });
  if (wrong.length) throw new ChatError('INVALID_REQUEST', `this deployment requires ${wrong.map((f) => LABELS[f]).join(', ')} to start a chat (missing or not valid)`);
}
