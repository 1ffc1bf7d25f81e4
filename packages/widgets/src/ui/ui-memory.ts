/**
 * What the widget remembers for the visitor. Per tab (sessionStorage, survives a reload): the
 * draft in the message box, whether the window was open and on which view, and whether it was
 * minimized. Across visits (localStorage): the pre-chat form's name and email, when the page lets
 * it (`webchat.form.remember`, default true). Keys are prefixed with `main.deploymentID`. Storage
 * may be unavailable (privacy modes): everything then simply isn't remembered.
 */
export interface UiMemory {
  get(key: 'draft' | 'open' | 'minimized'): string;
  set(key: 'draft' | 'open' | 'minimized', value: string): void;
  visitor(): Record<string, string>;
  rememberVisitor(values: Record<string, string>): void;
}

function store(kind: 'sessionStorage' | 'localStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}

export function createUiMemory(deploymentId: string | undefined, rememberVisitor: boolean): UiMemory {
  const prefix = `${deploymentId ? deploymentId + '.' : ''}parley.webchat.`;
  const read = (kind: 'sessionStorage' | 'localStorage', key: string): string => {
    try {
      return store(kind)?.getItem(prefix + key) ?? '';
    } catch {
      return '';
    }
  };
  const write = (kind: 'sessionStorage' | 'localStorage', key: string, value: string): void => {
    try {
      if (value) store(kind)?.setItem(prefix + key, value);
      else store(kind)?.removeItem(prefix + key);
    } catch {
      /* full or forbidden: not remembered */
    }
  };
  return {
    get: (key) => read('sessionStorage', key),
    set: (key, value) => write('sessionStorage', key, value),
    visitor() {
      if (!rememberVisitor) return {};
      try {
        const v = JSON.parse(read('localStorage', 'visitor') || '{}');
        return v && typeof v === 'object' ? v : {};
      } catch {
        return {};
      }
    },
    rememberVisitor(values) {
      if (rememberVisitor) write('localStorage', 'visitor', JSON.stringify(values));
    },
  };
}
