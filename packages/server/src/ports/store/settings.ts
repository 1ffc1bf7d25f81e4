/** Server-wide settings, text by key. Contract: `putSetting` inserts or replaces. */
export interface SettingStore {
  getSetting(key: string): Promise<string | null>;
  putSetting(key: string, value: string): Promise<void>;
}
