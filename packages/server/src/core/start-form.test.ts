import { describe, expect, it } from 'vitest';
import type { Deployment, StartFormSettings } from '../ports/store.js';
import { checkStartForm, requiredStartFields } from './start-form.js';

const deployment = (form?: StartFormSettings): Deployment => ({
  id: 'd',
  name: 'D',
  allowedOrigins: [],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'x' },
  defaultQueue: 'Support',
  createdAt: '2026-01-01T00:00:00.000Z',
  settings: form ? { form } : {},
});

describe('the deployment’s pre-chat form at start', () => {
  it('requires nothing without the setting', () => {
    expect(requiredStartFields(undefined)).toEqual([]);
    expect(() => checkStartForm(deployment(), {})).not.toThrow();
  });

  it('lists the required fields in the form’s order; optional and hidden ones are not required', () => {
    expect(requiredStartFields({ fields: { subject: 'required', firstname: 'required', lastname: 'optional', email: false } })).toEqual(['firstname', 'subject']);
  });

  it('refuses a blank or missing required field and a required e-mail address that is not one, naming each', () => {
    const d = deployment({ fields: { firstname: 'required', email: 'required', subject: 'optional' } });
    expect(() => checkStartForm(d, { firstName: 'Kim', email: 'kim@example.com' })).not.toThrow();
    expect(() => checkStartForm(d, { firstName: '   ', email: 'kim@example.com' })).toThrow('this deployment requires first name to start a chat');
    expect(() => checkStartForm(d, { firstName: 'Kim', email: 'kim@' })).toThrow('requires e-mail address');
    try {
      checkStartForm(d, {});
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('INVALID_REQUEST');
      expect((err as Error).message).toContain('first name, e-mail address');
    }
  });
});
