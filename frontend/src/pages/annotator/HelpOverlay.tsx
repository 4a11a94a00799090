import { useEffect, useRef } from 'react';
import { MOUSE_HELP, SHORTCUTS } from '../../core/shortcuts';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard and mouse</h2>
        <div className="help-columns">
          <table>
            <tbody>
              {SHORTCUTS.map((s) => <tr key={s.keys}><td><kbd>{s.keys}</kbd></td><td>{s.description}</td></tr>)}
            </tbody>
          </table>
          <table>
            <tbody>
              {MOUSE_HELP.map(([keys, text]) => <tr key={keys}><td><kbd>{keys}</kbd></td><td>{text}</td></tr>)}
            </tbody>
          </table>
        </div>
        <button ref={closeRef} type="button" className="primary" onClick={onClose}>Close (Esc)</button>
      </div>
    </div>
  );
}
