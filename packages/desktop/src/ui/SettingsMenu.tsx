import { useDesktop } from './context.js';
import { askNotificationPermission } from './system-notification.js';
import type { Theme } from '../state/preferences.js';

/** The agent's own settings: how the composer sends, notifications while the tab is hidden, sound, theme. */
export function SettingsMenu() {
  const [desktop, state] = useDesktop();
  const p = state.preferences;
  return (
    <details class="settings-menu">
      <summary>Settings</summary>
      <div class="settings-panel panel stack">
        <label class="toggle">
          <input type="checkbox" checked={p.enterSends} onChange={(e) => desktop.setPreference('enterSends', (e.target as HTMLInputElement).checked)} />
          Enter sends (Shift+Enter: new line)
        </label>
        <label class="toggle">
          <input
            type="checkbox"
            checked={p.notifications}
            onChange={async (e) => {
              const on = (e.target as HTMLInputElement).checked;
              desktop.setPreference('notifications', on && (await askNotificationPermission()));
            }}
          />
          Notify me of offers and messages while the tab is hidden
        </label>
        <label class="toggle">
          <input type="checkbox" checked={p.sound} onChange={(e) => desktop.setPreference('sound', (e.target as HTMLInputElement).checked)} />
          Sound
        </label>
        <label class="stack">
          Theme
          <select value={p.theme} onChange={(e) => desktop.setPreference('theme', (e.target as HTMLSelectElement).value as Theme)}>
            <option value="system">System</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
      </div>
    </details>
  );
}
