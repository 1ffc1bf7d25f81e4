import { useDesktop } from './context.js';
import { PresenceSwitch } from './PresenceSwitch.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { emit } from './commands.js';
import { SettingsMenu } from './SettingsMenu.js';
import { useEffect } from 'preact/hooks';
import type { View } from '../state/desktop.js';

/** Brand, view switch, presence, connection status, the account and sign out. */
export function TopBar() {
  const [desktop, state] = useDesktop();
  const unread = desktop.unreadTotal;
  useEffect(() => {
    document.title = unread ? `(${unread}) Parley desktop` : 'Parley desktop';
  }, [unread]);
  const views: { id: View; label: string }[] = [
    { id: 'conversations', label: `Conversations${unread ? ` (${unread} unread)` : ''}` },
    { id: 'history', label: 'History' },
  ];
  if (desktop.isSupervisor) views.push({ id: 'supervisor', label: 'Supervisor' });
  return (
    <header class="topbar">
      <span class="brand" aria-hidden="true">
        Parley
      </span>
      <nav aria-label="Views">
        <ul class="views">
          {views.map((v) => (
            <li key={v.id}>
              <button type="button" class="view-button" aria-current={state.view === v.id ? 'page' : undefined} onClick={() => desktop.setView(v.id)}>
                {v.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <PresenceSwitch />
      <ConnectionStatus />
      <span class="whoami">
        <span class="name">{state.account?.displayName}</span> <span class="role">({state.account?.role})</span>
      </span>
      <SettingsMenu />
      <button type="button" onClick={() => emit('help')} aria-keyshortcuts="Alt+H">
        Shortcuts
      </button>
      <button type="button" onClick={() => desktop.logout()}>
        Sign out
      </button>
    </header>
  );
}
