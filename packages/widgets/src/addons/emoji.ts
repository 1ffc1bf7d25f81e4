import { h } from '../ui/dom.js';

/**
 * The emoji add-on (`webchat.emojis`): a small picker above the message box. Arrow keys are not
 * needed: every emoji is a button in the tab order; Escape closes it and gives focus back.
 */
const EMOJIS = '😀 😃 😄 😁 😊 🙂 😉 😍 😘 😎 🤔 😐 😕 😢 😭 😡 😮 😴 🙏 👍 👎 👌 👏 🙌 👋 💪 ❤️ 💔 🎉 ✅ ❌ ⭐ 🔥 💡 📦 🚚 💳 📞 ✉️ ⏰'.split(' ');

let open: HTMLElement | null = null;

function close(focusBack?: HTMLElement): void {
  open?.remove();
  open = null;
  // back to the emoji button, or to the message box when the button sits in the closed actions menu
  if (focusBack) (focusBack.offsetParent ? focusBack : focusBack.closest('.pz-ft')?.querySelector('textarea'))?.focus();
}

function openPicker(anchor: HTMLElement, insert: (text: string) => void, label: string): void {
  if (open) return close(anchor);
  const picker = h('div', { class: 'pz-emo', role: 'group', 'aria-label': label });
  for (const emoji of EMOJIS) {
    const b = h('button', { type: 'button' }, emoji);
    b.onclick = () => {
      close();
      insert(emoji);
    };
    picker.appendChild(b);
  }
  picker.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    close(anchor);
  });
  (anchor.closest('.pz-row2') ?? anchor.parentElement!).appendChild(picker);
  open = picker;
  picker.querySelector('button')!.focus();
}

((globalThis as any).ParleyAddons ??= {}).emoji = { open: openPicker };
