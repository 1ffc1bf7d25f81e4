import { useCallback, useEffect, useState } from 'preact/hooks';
import { useDesktop } from './context.js';
import { LoginForm } from './LoginForm.js';
import { TopBar } from './TopBar.js';
import { OfferPanel } from './OfferPanel.js';
import { WaitingList } from './WaitingList.js';
import { ConversationTabs } from './ConversationTabs.js';
import { ConversationView } from './ConversationView.js';
import { SupervisorView } from './SupervisorView.js';
import { HistoryView } from './HistoryView.js';
import { LiveRegion } from './LiveRegion.js';
import { Notices } from './Notices.js';
import { ShortcutsHelp } from './ShortcutsHelp.js';
import { shortcutFor } from './shortcuts.js';
import { emit, useCommand } from './commands.js';
import { useThemeAttribute } from './theme.js';

/** The page: the login form, or the desktop (top bar, offers and queue, the current view). */
export function App() {
  const [desktop, state] = useDesktop();
  const [help, setHelp] = useState(false);
  const openHelp = useCallback(() => setHelp(true), []);
  useCommand('help', openHelp);
  useThemeAttribute(state.preferences.theme);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (desktop.state.phase !== 'ready') return;
      const action = shortcutFor(e);
      if (!action) return;
      e.preventDefault();
      if (typeof action === 'object') {
        const c = desktop.state.conversations[action.tab - 1];
        if (c) desktop.activate(c.sessionId);
        return;
      }
      const offer = desktop.offers[0];
      if (action === 'accept-offer') {
        if (offer) void desktop.accept(offer.id);
        return;
      }
      if (action === 'reject-offer') {
        if (offer) void desktop.reject(offer.id);
        return;
      }
      emit(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [desktop]);

  if (state.phase === 'boot')
    return (
      <p class="boot" role="status">
        {state.loginError ?? 'Loading the Parley desktop…'}
      </p>
    );
  if (state.phase === 'login') {
    return (
      <>
        <LoginForm />
        <LiveRegion />
      </>
    );
  }
  return (
    <div class="desktop">
      <a class="skip-link" href="#main">
        Skip to the conversation
      </a>
      <TopBar />
      <div class="body">
        <aside class="sidebar" aria-label="Offers and queue">
          <OfferPanel />
          <WaitingList />
        </aside>
        <main id="main" class="main" tabIndex={-1}>
          {state.view === 'conversations' && (
            <>
              <ConversationTabs />
              <ConversationView />
            </>
          )}
          {state.view === 'supervisor' && <SupervisorView />}
          {state.view === 'history' && <HistoryView />}
        </main>
      </div>
      <Notices />
      <LiveRegion />
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
