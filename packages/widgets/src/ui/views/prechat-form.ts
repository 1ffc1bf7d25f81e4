import { add, h } from '../dom.js';
import { fill } from '../i18n.js';
import type { Options, UiContext } from '../context.js';

/** The fields WebChatService.startChat takes by name; any other field goes into userData. */
const START_KEYS = ['firstname', 'lastname', 'email', 'subject', 'nickname'];

/** One input of `webchat.formJSON.inputs` (the Genesys form description). */
export interface FormField {
  name: string;
  label?: string;
  type?: string;
  placeholder?: string;
  value?: string;
  maxlength?: number;
  required?: boolean;
  options?: { text?: string; value?: string; selected?: boolean }[];
  validate?: (...a: unknown[]) => boolean;
}

type FieldInput = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** The registration form shown before a chat starts (`formJSON`, or first/last name, email, subject). */
export interface PrechatFormView {
  element: HTMLFormElement;
  /** Builds the form for `WebChat.open` options `o` and shows it. */
  show(o: Options): void;
  /** The deployment's own `form.fields` (from the server): the form shown is built again with them, keeping what was typed. */
  setDeploymentFields(fields: Options): void;
  firstInput(): HTMLElement | null;
  /** The visitor typed something into the form (closing it would lose it). */
  hasInput(): boolean;
}

export interface PrechatFormDeps {
  /** Starts the chat; false when it could not start. */
  start(options: Options): Promise<boolean>;
  /** What the visitor entered last time (name, email), to fill in. */
  remembered(): Record<string, string>;
  remember(values: Record<string, string>): void;
}

/** The fields remembered for a returning visitor (never the subject or custom fields). */
const REMEMBERED = ['firstname', 'lastname', 'nickname', 'email'];

function autocompleteFor(name: string): string {
  return name === 'firstname' ? 'given-name' : name === 'lastname' ? 'family-name' : name === 'email' ? 'email' : name === 'nickname' ? 'nickname' : 'off';
}

export function createPrechatForm(ctx: UiContext, deps: PrechatFormDeps): PrechatFormView {
  const t = ctx.text;
  const element = h('form', { class: 'pz-form', novalidate: true, hidden: true });
  let typed = false;
  element.addEventListener('input', () => (typed = true));
  let deploymentFields: Options | undefined;
  let shownWith: Options | undefined;

  /**
   * The built-in form; `webchat.form.fields` ({firstname: 'required'|'optional'|false, nickname, …})
   * and the deployment's fields ask only for what is needed: a field the deployment requires is
   * always shown and required, otherwise the page's word wins over the deployment's.
   */
  function defaultFields(): FormField[] {
    const all: FormField[] = [
      { name: 'firstname', label: t('ChatFormFirstName'), required: true, maxlength: 100 },
      { name: 'lastname', label: t('ChatFormLastName'), required: true, maxlength: 100 },
      { name: 'nickname', label: t('ChatFormNickname'), maxlength: 100 },
      { name: 'email', label: t('ChatFormEmail'), type: 'email', required: true, maxlength: 100 },
      { name: 'subject', label: t('ChatFormSubject'), maxlength: 100 },
    ];
    const page: Options | undefined = ctx.webchat.form?.fields;
    if (!page && !deploymentFields) return all.filter((f) => f.name !== 'nickname');
    const rule = (name: string) => (requiredHere(name) ? 'required' : (page?.[name] ?? deploymentFields?.[name]));
    return all.filter((f) => rule(f.name)).map((f) => ({ ...f, required: rule(f.name) === 'required' }));
  }

  function inputFor(field: FormField, id: string): FieldInput {
    const type = field.type || 'text';
    if (type === 'select') {
      const select = h('select', { id, name: field.name });
      for (const op of field.options || []) select.appendChild(h('option', { value: op.value ?? op.text ?? '', selected: !!op.selected }, op.text ?? op.value ?? ''));
      return select;
    }
    if (type === 'textarea') return h('textarea', { id, name: field.name, rows: 3 });
    return h('input', { id, name: field.name, type: /^(email|tel|hidden|checkbox|number)$/.test(type) ? type : 'text', autocomplete: autocompleteFor(field.name) });
  }

  const requiredHere = (name: string) => deploymentFields?.[name] === 'required';

  /** `kept`: what the visitor typed into the form shown before (it is built again). */
  function show(o: Options, kept?: Options): void {
    const preset: Options = o.form || ctx.webchat.form || {};
    const formJSON: Options = o.formJSON || ctx.webchat.formJSON;
    const fields: FormField[] = formJSON && Array.isArray(formJSON.inputs) ? formJSON.inputs.map((f: FormField) => (f && requiredHere(f.name) ? { ...f, required: true } : f)) : defaultFields();
    element.replaceChildren();
    element.hidden = false;
    shownWith = o;
    typed = !!kept && typed;
    const inputs: [FormField, FieldInput, HTMLElement][] = [];
    const remembered = deps.remembered();
    for (const field of fields) {
      if (!field || !field.name) continue;
      const id = ctx.uniqueId('f');
      const type = field.type || 'text';
      const input = inputFor(field, id);
      if (field.placeholder) input.setAttribute('placeholder', String(field.placeholder));
      if (field.maxlength && !(input instanceof HTMLSelectElement)) input.maxLength = +field.maxlength;
      const value = kept?.[field.name] ?? preset[field.name] ?? field.value ?? (REMEMBERED.includes(field.name) ? remembered[field.name] : undefined);
      if (value != null) (input as HTMLInputElement).value = String(value);
      if (field.required) input.setAttribute('aria-required', 'true');
      if (type === 'hidden') {
        element.appendChild(input);
        inputs.push([field, input, input]);
        continue;
      }
      const error = h('span', { class: 'pz-err', id: id + 'e', hidden: true }, t('ChatFormInvalid'));
      const label = h('label', { for: id }, String(field.label ?? field.name), field.required ? h('span', { class: 'pz-req' }, ` (${t('ChatFormRequired')})`) : null);
      input.setAttribute('aria-describedby', error.id);
      element.appendChild(h('div', { class: type === 'checkbox' ? 'pz-fld pz-chk' : 'pz-fld' }, label, input, error));
      inputs.push([field, input, error]);
    }
    const status = h('p', { class: 'pz-ferr', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'pz-pri' }, t('ChatFormSubmit'));
    const cancel = h('button', { type: 'button', class: 'pz-sec' }, t('ChatFormCancel'));
    cancel.onclick = () => ctx.command('WebChat.close');
    add(element, status, h('div', { class: 'pz-row' }, cancel, submit));

    const valueOf = (input: FieldInput) => (input instanceof HTMLInputElement && input.type === 'checkbox' ? (input.checked ? 'x' : '') : input.value.trim());
    const valid = (): boolean => {
      let firstInvalid: HTMLElement | null = null;
      for (const [field, input, error] of inputs) {
        const value = valueOf(input);
        let ok = !(field.required && !value);
        // what is wrong, said for this field: empty, not an email address, or the page's own check failed
        let why = ok ? '' : fill(t('ChatFormEmpty'), { Field: String(field.label ?? field.name) });
        if (ok && input.type === 'email' && value) {
          ok = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
          if (!ok) why = t('ChatFormEmailInvalid');
        }
        if (ok && typeof field.validate === 'function') {
          try {
            ok = field.validate(null, element, input, error, undefined, (window as Options).CXBus, undefined) !== false;
          } catch {
            ok = false;
          }
        }
        if (input.type === 'hidden') continue;
        input.toggleAttribute('aria-invalid', !ok);
        if (!ok) input.setAttribute('aria-invalid', 'true');
        error.hidden = ok;
        if (!ok) error.textContent = why || t('ChatFormInvalid');
        if (!ok) firstInvalid ||= input;
      }
      firstInvalid?.focus();
      return !firstInvalid;
    };

    element.onsubmit = (e) => {
      e.preventDefault();
      if (!valid()) return;
      const data: Options = {};
      const userData: Options = { ...(o.userData || {}) };
      for (const [field, input] of inputs) {
        const value = input instanceof HTMLInputElement && input.type === 'checkbox' ? String(input.checked) : input.value.trim();
        if (START_KEYS.includes(field.name)) data[field.name] = value;
        else userData[field.name] = value;
      }
      deps.remember(Object.fromEntries(REMEMBERED.filter((k) => data[k]).map((k) => [k, data[k]])));
      status.textContent = '';
      submit.disabled = true;
      ctx.publish('submitted', { ...data, userData });
      void deps.start({ ...data, userData, async: o.async }).then((ok) => {
        submit.disabled = false;
        if (!ok) status.textContent = t('ChatError');
      });
    };
    if (preset.autoSubmit && !kept) element.requestSubmit();
  }

  function setDeploymentFields(fields: Options): void {
    deploymentFields = fields;
    const submit = element.querySelector('button[type=submit]') as HTMLButtonElement | null;
    if (element.hidden || !shownWith || submit?.disabled) return;
    const focused = element.contains(document.activeElement) && (document.activeElement as HTMLInputElement).name;
    show(shownWith, Object.fromEntries(new FormData(element)));
    if (focused) (element.elements.namedItem(focused) as HTMLElement | null)?.focus?.();
  }

  return {
    element,
    show,
    setDeploymentFields,
    hasInput: () => typed,
    firstInput: () => element.querySelector<HTMLElement>('input:not([type=hidden]),select,textarea,button'),
  };
}
