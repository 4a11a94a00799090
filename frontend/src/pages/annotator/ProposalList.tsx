// Automatic proposals waiting for a decision, apart from the saved masks: select (Tab), accept (A),
// fix (load into the editor, then A or S), reject (X).
import { useEffect, useRef } from 'react';
import type { Category, MaskRecord } from '../../core/apiTypes';
import { PROPOSAL_COLOR } from './AnnotatorController';

interface Props {
  proposals: MaskRecord[]; categories: Category[]; selectedId: number | null; editingId: number | null;
  rejectedCount: number; deciding: boolean; pending: boolean;
  onSelect: (id: number | null) => void; onAccept: () => void; onReject: () => void; onFix: (id: number) => void;
}

export function ProposalList({ proposals, categories, selectedId, editingId, rejectedCount, deciding, pending, onSelect, onAccept, onReject, onFix }: Props) {
  const category = (id: number | null) => categories.find((c) => c.id === id);
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    // Tab through a long list: keep the selected row in sight.
    listRef.current?.querySelector(`[data-proposal-id="${selectedId}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);
  if (pending) {
    return (
      <section className="proposals" data-testid="proposals">
        <h2>Proposals</h2>
        <p className="muted small" role="status">The model is proposing masks for this image… they appear here when ready.</p>
      </section>
    );
  }
  if (proposals.length === 0 && rejectedCount === 0) return null;
  return (
    <section className="proposals" data-testid="proposals">
      <h2>Proposals ({proposals.length}) {proposals.length > 0 && <span className="muted small">Tab · A · X</span>}</h2>
      {proposals.length === 0 && <p className="muted small">All proposals decided.</p>}
      <ul ref={listRef}>
        {proposals.map((m) => (
          <li key={m.id} className={[m.id === selectedId ? 'selected' : '', m.id === editingId ? 'editing' : ''].join(' ')} data-proposal-id={m.id}>
            <button type="button" className="mask-row" onClick={() => onSelect(m.id === selectedId ? null : m.id)} aria-pressed={m.id === selectedId}>
              <span className="swatch swatch-dashed" style={{ borderColor: category(m.category)?.color ?? PROPOSAL_COLOR }} />
              <span className="mask-name">#{m.id} {category(m.category)?.name ?? 'proposal'}</span>
              <span className="muted small">
                {m.area}px{typeof m.predicted_iou === 'number' ? ` · IoU ${m.predicted_iou.toFixed(2)}` : ''}
              </span>
            </button>
            {m.id === selectedId && (
              <span className="mask-actions">
                <button type="button" className="primary" onClick={onAccept} disabled={deciding} title="A">
                  {m.id === editingId ? 'Save fix & accept (A)' : 'Accept (A)'}
                </button>
                <button type="button" onClick={() => onFix(m.id)} disabled={m.id === editingId || deciding}>Fix</button>
                <button type="button" className="danger" onClick={onReject} disabled={deciding} title="X">Reject (X)</button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {rejectedCount > 0 && <p className="muted small">{rejectedCount} rejected (hidden).</p>}
    </section>
  );
}
