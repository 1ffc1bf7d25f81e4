import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, loadPreferences, savePreferences } from './preferences.js';
import { isSendKey } from '../ui/shortcuts.js';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe('preferences', () => {
  it('defaults, round-trips, and ignores garbage', () => {
    const s = memoryStorage();
    expect(loadPreferences(s)).toEqual(DEFAULT_PREFERENCES);
    savePreferences(s, { ...DEFAULT_PREFERENCES, enterSends: false });
    expect(loadPreferences(s).enterSends).toBe(false);
    s.setItem('parley.desktop.preferences', '{"enterSends":"yes","sound":false');
    expect(loadPreferences(s)).toEqual(DEFAULT_PREFERENCES);
    s.setItem('parley.desktop.preferences', '{"enterSends":"yes","sound":false}');
    expect(loadPreferences(s)).toEqual({ ...DEFAULT_PREFERENCES, sound: false });
  });
  it('keeps a known theme and drops an unknown one', () => {
    const s = memoryStorage();
    expect(loadPreferences(s).theme).toBe('system');
    savePreferences(s, { ...DEFAULT_PREFERENCES, theme: 'dark' });
    expect(loadPreferences(s).theme).toBe('dark');
    s.setItem('parley.desktop.preferences', '{"theme":"neon","sound":false}');
    expect(loadPreferences(s)).toEqual({ ...DEFAULT_PREFERENCES, sound: false });
  });
});

describe('send key', () => {
  const key = (over: Partial<Parameters<typeof isSendKey>[0]>) => ({ key: 'Enter', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, isComposing: false, ...over });
  it('Enter sends with the setting on, Shift+Enter never does, Ctrl/Cmd+Enter always does', () => {
    expect(isSendKey(key({}), true)).toBe(true);
    expect(isSendKey(key({}), false)).toBe(false);
    expect(isSendKey(key({ shiftKey: true }), true)).toBe(false);
    expect(isSendKey(key({ ctrlKey: true }), false)).toBe(true);
    expect(isSendKey(key({ metaKey: true }), true)).toBe(true);
    expect(isSendKey(key({ isComposing: true }), true)).toBe(false);
    expect(isSendKey(key({ key: 'a' }), true)).toBe(false);
  });
});
