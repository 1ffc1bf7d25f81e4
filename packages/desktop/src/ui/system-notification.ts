/** Shows a browser notification when the agent allowed them; clicking it brings the desktop to the front. */
export function showSystemNotification(n: { title: string; body: string; tag: string }): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    const shown = new Notification(n.title, { body: n.body, tag: n.tag });
    shown.onclick = () => {
      window.focus();
      shown.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}

/** Asks for permission (from a click: browsers ignore the request otherwise). */
export async function askNotificationPermission(): Promise<boolean> {
  if (typeof Notification === 'undefined') return false;
  if (Notification.permission === 'granted') return true;
  if (Notification.permission === 'denied') return false;
  return (await Notification.requestPermission()) === 'granted';
}
