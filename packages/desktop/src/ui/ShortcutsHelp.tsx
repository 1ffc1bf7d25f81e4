import { Dialog } from './Dialog.js';
import { SHORTCUTS } from './shortcuts.js';

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Dialog id="shortcuts" title="Keyboard shortcuts" onClose={onClose}>
      <table>
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="primary" onClick={onClose}>
        Close
      </button>
    </Dialog>
  );
}
