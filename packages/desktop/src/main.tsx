import { render } from 'preact';
import { Desktop } from './state/desktop.js';
import { App } from './ui/App.js';
import { DesktopContext } from './ui/context.js';
import { beep } from './ui/beep.js';
import { showSystemNotification } from './ui/system-notification.js';

const desktop = new Desktop({
  storage: window.sessionStorage,
  preferenceStorage: window.localStorage,
  beep,
  pageHidden: () => document.visibilityState === 'hidden',
  systemNotify: showSystemNotification,
});
window.addEventListener('focus', () => desktop.setWindowFocused(true));
window.addEventListener('blur', () => desktop.setWindowFocused(false));
window.addEventListener('online', () => desktop.online());
(window as unknown as { parleyDesktop?: Desktop }).parleyDesktop = desktop;
// Back from single sign-on: the token (or the error) is in the fragment; keep it out of the address bar and history.
if (desktop.acceptSsoReturn(window.location.hash)) window.history.replaceState(null, '', window.location.pathname + window.location.search);

render(
  <DesktopContext.Provider value={desktop}>
    <App />
  </DesktopContext.Provider>,
  document.getElementById('app')!,
);
void desktop.boot();
