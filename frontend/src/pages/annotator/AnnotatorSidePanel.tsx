// The image annotator's side panel: the model serving, the category, the candidates, the edit's
// actions (undo, redo, clear, save, save and next), the proposals and the saved masks.
import { categoryColor } from '../../core/categories';
import { isDirty } from '../../core/editState';
import { keyHint } from '../../core/keymap';
import { Link } from '../Link';
import type { WorkAction } from '../../core/work';
import { STATE_LABELS } from '../../core/work';
import { WorkActions } from '../work/WorkActions';
import type { AnnotatorController, AnnotatorView } from './AnnotatorController';
import { plural } from '../../core/words';
import { CandidateStrip } from './CandidateStrip';
import { ProposalList } from './ProposalList';
import { SavedMaskList } from './SavedMaskList';

export function AnnotatorSidePanel({ view, controller, onSaveAndNext, onDecided }: {
  view: AnnotatorView; controller: AnnotatorController; onSaveAndNext: () => void; onDecided: (action: WorkAction) => void;
}) {
  const { image, project, edit, model } = view;
  const categories = project?.categories ?? [];
  const editingId = edit.editing?.id ?? null;
  return (
    <aside className="side-panel">
      <section>
        <h2>Model</h2>
        <p className="model-line" data-testid="model-version">
          {model ? <>{model.backend} · <strong>{model.version}</strong>{model.fallback && <span className="badge warning">fallback</span>}</> : <span className="muted">unknown until the first prediction</span>}
        </p>
      </section>
      <section>
        <h2>Category</h2>
        <select
          aria-label="category" value={edit.categoryId ?? ''}
          onChange={(e) => {
            controller.setCategory(e.target.value === '' ? null : Number(e.target.value));
            e.target.blur(); // hand the keyboard back to the annotator's shortcuts
          }}
        >
          {categories.length === 0 && <option value="">(no categories)</option>}
          {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
        <span className="swatch" style={{ background: categories.find((c) => c.id === edit.categoryId)?.color }} />
      </section>
      <section>
        <h2>Candidates {edit.candidates.length > 1 && <span className="muted small">(1 / 2 / 3)</span>}</h2>
        {view.bitmap && image && (
          <CandidateStrip
            bitmap={view.bitmap} width={image.width} height={image.height} candidates={edit.candidates}
            chosen={edit.chosen} onChoose={(i) => controller.chooseCandidate(i)} color={categoryColor(categories, edit.categoryId)}
          />
        )}
        {edit.candidates.length === 0 && <p className="muted small">Click the object (or drag a box) to get candidates.</p>}
        <p className="muted small">
          {plural(edit.points.length, 'point')}{edit.box ? ' + box' : ''} · {plural(view.clicks, 'click')}
          {edit.handEdited && ' · hand-edited'}
          {edit.editing && ` · editing mask #${edit.editing.id} (v${edit.editing.version})`}
        </p>
      </section>
      <section className="actions">
        <div className="row">
          <button type="button" onClick={() => controller.undo()} disabled={!view.canUndo} title={keyHint('undo')}>Undo</button>
          <button type="button" onClick={() => controller.redo()} disabled={!view.canRedo} title={keyHint('redo')}>Redo</button>
          <button type="button" onClick={() => controller.clear()} disabled={!isDirty(edit)} title="Esc">Clear</button>
        </div>
        <div className="row">
          <button type="button" className="primary" onClick={() => void controller.saving.save()} disabled={!edit.mask || view.saving} title="S or Enter">
            {view.saving ? 'Saving…' : edit.editing ? 'Save changes (S)' : 'Save (S)'}
          </button>
          <button type="button" onClick={onSaveAndNext} disabled={view.saving} title={keyHint('saveAndNext')}>
            Save &amp; next (⇧Enter)
          </button>
        </div>
        <p className="muted small">
          {view.draftKept ? 'Draft kept in this browser until saved.' : 'Draft could not be stored (browser storage full).'}
        </p>
      </section>
      <ProposalList
        proposals={view.proposals} categories={categories} selectedId={view.selectedProposalId}
        editingId={editingId} rejectedCount={view.rejectedCount} deciding={view.deciding} pending={view.proposalsPending}
        onSelect={(id) => controller.proposals.select(id)} onAccept={() => void controller.proposals.accept()}
        onReject={() => void controller.proposals.reject()} onFix={(id) => controller.proposals.fix(id)}
      />
      <SavedMaskList
        masks={view.savedMasks} categories={categories} selectedId={view.selectedMaskId} editingId={editingId}
        onSelect={(id) => controller.selectMask(id)} onEdit={(id) => controller.editSavedMask(id)}
        onDelete={() => void controller.saving.deleteSelected()}
      />
      {image && (
        <section data-testid="item-state">
          <h2>This image <span className={`state-badge state-${image.state}`}>{STATE_LABELS[image.state]}</span></h2>
          {image.state_reason && <p className="muted small">“{image.state_reason}”</p>}
          <WorkActions kind="image" id={image.id} state={image.state} onDone={onDecided} />
        </section>
      )}
      {image && <Link to={{ page: 'masks', imageId: image.id }} className="small">All masks of this image →</Link>}
    </aside>
  );
}
