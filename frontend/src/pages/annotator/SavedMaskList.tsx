// The masks already saved on this image: select to highlight, edit to load into the editor, delete.
import type { Category, MaskRecord } from '../../core/apiTypes';

interface Props {
  masks: MaskRecord[]; categories: Category[]; selectedId: number | null; editingId: number | null;
  onSelect: (id: number | null) => void; onEdit: (id: number) => void; onDelete: () => void;
}

export function SavedMaskList({ masks, categories, selectedId, editingId, onSelect, onEdit, onDelete }: Props) {
  const category = (id: number | null) => categories.find((c) => c.id === id);
  return (
    <section className="saved-masks">
      <h2>Saved masks ({masks.length})</h2>
      {masks.length === 0 && <p className="muted small">None yet.</p>}
      <ul data-testid="saved-masks">
        {masks.map((m) => (
          <li key={m.id} className={[m.id === selectedId ? 'selected' : '', m.id === editingId ? 'editing' : ''].join(' ')}>
            <button type="button" className="mask-row" onClick={() => onSelect(m.id === selectedId ? null : m.id)} aria-pressed={m.id === selectedId}>
              <span className="swatch" style={{ background: category(m.category)?.color }} />
              <span className="mask-name">#{m.id} {category(m.category)?.name ?? 'no category'}</span>
              <span className="muted small">{m.area}px · {m.source}{m.status !== 'submitted' && <> · <span className={`mask-status-${m.status}`}>{m.status}</span></>}</span>
            </button>
            {m.id === selectedId && (
              <span className="mask-actions">
                <button type="button" onClick={() => onEdit(m.id)} disabled={m.id === editingId}>Edit</button>
                <button type="button" className="danger" onClick={onDelete}>Delete</button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
