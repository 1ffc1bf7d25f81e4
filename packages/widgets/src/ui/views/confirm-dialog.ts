import { h } from '../dom.js';
import type { UiContext } from '../context.js';

/** The in-window yes/no question (end or close the chat); Escape answers no. */
export interface ConfirmDialogView {
  element: HTMLDivElement;
  ask(question: string, yes: string, no: string): Promise<boolean>;
  /** Answers no if a question is open; false when none was. */
  dismiss(): boolean;
  hide(): void;
}

export function createConfirmDialog(ctx: UiContext, afterNo: () => void): ConfirmDialogView {
  const questionId = ctx.uniqueId('cq');
  const question = h('p', { id: questionId });
  const element = h('div', { class: 'pz-cf', role: 'alertdialog', 'aria-labelledby': questionId, hidden: true }, question);
  let answer: ((ok: boolean) => void) | null = null;

  function hide(): void {
    element.hidden = true;
    answer = null;
  }

  return {
    element,
    hide,
    dismiss() {
      if (!answer) return false;
      answer(false);
      return true;
    },
    ask(text, yes, no) {
      hide();
      question.textContent = text;
      const yesButton = h('button', { type: 'button', class: 'pz-pri' }, yes);
      const noButton = h('button', { type: 'button', class: 'pz-sec' }, no);
      element.replaceChildren(question, h('div', { class: 'pz-row' }, noButton, yesButton));
      element.hidden = false;
      noButton.focus();
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          hide();
          resolve(ok);
          if (!ok) afterNo();
        };
        answer = done;
        yesButton.onclick = () => done(true);
        noButton.onclick = () => done(false);
      });
    },
  };
}
