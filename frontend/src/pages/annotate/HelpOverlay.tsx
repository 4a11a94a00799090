// The keys of a page (image or video annotator, review queue) from the one keymap they share, and the mouse.
import { useEffect, useRef } from 'react';
import { keymapFor, MOUSE_HELP, type AnnotatorKind } from '../../core/keymap';

export function HelpOverlay({ page, onClose }: { page: AnnotatorKind; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard and mouse</h2>
        <p className="muted small">One keymap for the image annotator, the video annotator and the review queue: a key means the same on every page.</p>
        <div className="help-columns">
          <table data-testid="help-keys">
            <tbody>
              {keymapFor(page).map((row) => <tr key={row.keys}><td><kbd>{row.keys}</kbd></td><td>{row.description}</td></tr>)}
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
