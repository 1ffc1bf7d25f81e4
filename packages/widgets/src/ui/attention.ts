import { fill } from './i18n.js';
import type { UiContext } from './context.js';

/**
 * Draws the visitor back when an agent or bot writes while the window is minimized or the tab is
 * in the background: the unread count (shown by the header), the page title flashing
 * "(n) New message", and a short tone with `webchat.notificationSound` (made with WebAudio: no file).
 * Seeing the chat again clears it.
 */
export interface Attention {
  /** A live message from an agent or bot arrived; `away`: the visitor cannot see it now. */
  newMessage(away: boolean): void;
  /** The visitor sees the chat again. */
  seen(): void;
}

export function createAttention(ctx: UiContext, showUnread: (count: number) => void): Attention {
  let unread = 0;
  let flashing: ReturnType<typeof setInterval> | undefined;
  let pageTitle = '';
  let audio: AudioContext | undefined;

  function beep(): void {
    try {
      audio ??= new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.25);
    } catch {
      /* no audio here: the badge and title still tell */
    }
  }

  function stopFlashing(): void {
    if (!flashing) return;
    clearInterval(flashing);
    flashing = undefined;
    document.title = pageTitle;
  }

  return {
    newMessage(away) {
      if (!away) return;
      unread++;
      showUnread(unread);
      if (ctx.webchat.notificationSound) beep();
      if (!flashing) {
        pageTitle = document.title;
        let on = false;
        flashing = setInterval(() => {
          on = !on;
          document.title = on ? fill(ctx.text('TitleNewMessage'), { Count: String(unread) }) : pageTitle;
        }, 1000);
      }
    },
    seen() {
      unread = 0;
      showUnread(0);
      stopFlashing();
    },
  };
}
