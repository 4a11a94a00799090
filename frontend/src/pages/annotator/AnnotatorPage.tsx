// The image annotator's layout: canvas in the middle, the side panel on the right, banners on top.
// All behaviour lives in AnnotatorController; this file maps keys and buttons onto it.
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { AnnotationCanvas } from '../../canvas/AnnotationCanvas';
import { isDirty } from '../../core/editState';
import { commandForKey, type Command } from '../../core/shortcuts';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { AnnotatorController } from './AnnotatorController';
import { CandidateStrip } from './CandidateStrip';
import { ConflictDialog } from './ConflictDialog';
import { HelpOverlay } from './HelpOverlay';
import { ProposalList } from './ProposalList';
import { SavedMaskList } from './SavedMaskList';
import { stageLabel } from '../../core/stages';

const TOOL_LABELS = { prompt: 'Points / box (P)', brush: 'Brush (B)', eraser: 'Eraser (E)', select: 'Select (V)' } as const;

function typingInto(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.isContentEditable);
}

export function AnnotatorPage({ imageId }: { imageId: number }) {
  const { api, navigate } = useApp();
  const controller = useMemo(() => new AnnotatorController(api, imageId), [api, imageId]);
  const view = useSyncExternalStore(controller.subscribe, controller.getView);
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<AnnotationCanvas | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);

  useEffect(() => {
    void controller.load();
    const flush = () => controller.flushDraft();
    window.addEventListener('pagehide', flush);
    window.addEventListener('beforeunload', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      window.removeEventListener('beforeunload', flush);
      controller.dispose();
    };
  }, [controller]);

  useEffect(() => {
    if (!stageRef.current || view.status !== 'ready') return;
    const canvas = new AnnotationCanvas(stageRef.current);
    canvasRef.current = canvas;
    controller.setCanvas(canvas);
    return () => {
      controller.setCanvas(null);
      canvas.destroy();
      canvasRef.current = null;
    };
  }, [controller, view.status]);

  async function saveAndNext() {
    const next = await controller.saveAndNext();
    if (typeof next === 'number') navigate({ page: 'annotate', imageId: next });
  }

  function run(command: Command): void {
    const canvas = canvasRef.current;
    switch (command) {
      case 'candidate1': return controller.chooseCandidate(0);
      case 'candidate2': return controller.chooseCandidate(1);
      case 'candidate3': return controller.chooseCandidate(2);
      case 'toolPrompt': return controller.setTool('prompt');
      case 'toolBrush': return controller.setTool('brush');
      case 'toolEraser': return controller.setTool('eraser');
      case 'toolSelect': return controller.setTool('select');
      case 'brushSmaller': return controller.resizeBrush(1 / 1.25);
      case 'brushLarger': return controller.resizeBrush(1.25);
      case 'undo': return controller.undo();
      case 'redo': return controller.redo();
      case 'save': void controller.save(); return;
      case 'saveNext': void saveAndNext(); return;
      case 'clear': return controller.clear();
      case 'deleteSelected': void controller.deleteSelected(); return;
      case 'nextCategory': return controller.cycleCategory(1);
      case 'previousCategory': return controller.cycleCategory(-1);
      case 'acceptProposal': void controller.proposals.accept(); return;
      case 'rejectProposal': void controller.proposals.reject(); return;
      case 'nextProposal': controller.proposals.step(1); return;
      case 'previousProposal': controller.proposals.step(-1); return;
      case 'fit': return canvas?.fit();
      case 'zoomIn': return canvas?.zoom(1.25);
      case 'zoomOut': return canvas?.zoom(0.8);
      case 'panLeft': return canvas?.pan(80, 0);
      case 'panRight': return canvas?.pan(-80, 0);
      case 'panUp': return canvas?.pan(0, 80);
      case 'panDown': return canvas?.pan(0, -80);
      case 'help': return setHelpOpen((open) => !open);
    }
  }

  const runRef = useRef(run);
  useEffect(() => { runRef.current = run; });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      controller.touch();
      if (typingInto(e.target)) return;
      const command = commandForKey(e);
      if (!command) return;
      const tag = (e.target as HTMLElement)?.tagName;
      if (e.key === 'Enter' && tag === 'BUTTON') return;
      // A focused <select> keeps its own arrow keys; letters still run shortcuts (no type-ahead).
      if (tag === 'SELECT' && e.key.startsWith('Arrow')) return;
      if (e.key === 'Escape' && helpOpen) {
        setHelpOpen(false);
        e.preventDefault();
        return;
      }
      if (controller.getView().conflict && command !== 'help') return;
      // Tab moves through proposals only when there are some; otherwise it keeps moving the focus.
      if ((command === 'nextProposal' || command === 'previousProposal') && controller.getView().proposals.length === 0) return;
      e.preventDefault();
      runRef.current(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller, helpOpen]);

  if (view.status === 'loading') return <main className="page"><p className="muted">Loading image…</p></main>;
  if (view.status === 'error') {
    return <main className="page"><p className="form-error" role="alert">Could not open image {imageId}: {view.loadError}</p></main>;
  }

  const { image, project, edit, model } = view;
  const categories = project?.categories ?? [];
  return (
    <main className="annotator" onPointerDown={() => controller.touch()}>
      <div className="annotator-main">
        <div className="annotator-bar">
          <nav className="breadcrumbs">
            {project && <Link to={{ page: 'images', projectId: project.id, pageNumber: 1 }}>{project.name}</Link>} / {image?.file_name}
            <span className="muted"> · {image?.width}×{image?.height}</span>
            {project && <span className={`badge stage-badge stage-${project.stage}`} title="the project's stage">{stageLabel(project.stage)}</span>}
          </nav>
          <span className="spacer" />
          <div className="tool-group" role="radiogroup" aria-label="tool">
            {(Object.keys(TOOL_LABELS) as (keyof typeof TOOL_LABELS)[]).map((tool) => (
              <button
                key={tool} type="button" role="radio" aria-checked={view.tool === tool}
                className={view.tool === tool ? 'tool active' : 'tool'} onClick={() => controller.setTool(tool)}
              >
                {TOOL_LABELS[tool]}
              </button>
            ))}
          </div>
          {(view.tool === 'brush' || view.tool === 'eraser') && <span className="muted small">size {view.brushRadius}px ([ / ])</span>}
          <button type="button" className="tool" onClick={() => setHelpOpen(true)} aria-label="keyboard shortcuts">?</button>
        </div>
        {model?.fallback && (
          <div className="banner banner-warning" role="status" data-testid="fallback-banner">
            Classical fallback active ({model.backend}): {model.reason ?? 'no model checkpoint is loaded'}. Masks come from
            GrabCut, not SAM — expect more clicks.
          </div>
        )}
        {model?.warning && (
          <div className="banner banner-warning" role="alert" data-testid="unverified-model-banner">
            {model.warning}
          </div>
        )}
        <div className="stage" ref={stageRef}>
          {view.preparing && (
            <div className="stage-overlay" role="status" data-testid="preparing">
              <div className="spinner" />
              Preparing image… {view.preparing.state === 'running' ? `${Math.round(view.preparing.progress * 100)}%` : view.preparing.state}
              <div className="muted small">The image embedding is being computed; your clicks are kept and sent when it is ready.</div>
            </div>
          )}
          {view.predicting && !view.preparing && <div className="stage-chip">Predicting…</div>}
          {!view.predicting && !view.preparing && view.embeddingStatus === 'pending' && (
            <div className="stage-chip" role="status">Preparing image… (the first click waits for it)</div>
          )}
          {view.embeddingStatus === 'failed' && (
            <div className="stage-chip error-chip" role="status">Preparing this image failed; predictions may be slow or unavailable.</div>
          )}
          {view.notice && <div className="stage-chip notice-chip" role="status" data-testid="notice">{view.notice}</div>}
          {view.error && (
            <div className="banner banner-error stage-error" role="alert">
              {view.error}
              <button type="button" className="link-button" onClick={() => controller.dismissError()}>dismiss</button>
            </div>
          )}
        </div>
      </div>
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
              chosen={edit.chosen} onChoose={(i) => controller.chooseCandidate(i)}
              color={categories.find((c) => c.id === edit.categoryId)?.color ?? '#1e90ff'}
            />
          )}
          {edit.candidates.length === 0 && <p className="muted small">Click the object (or drag a box) to get candidates.</p>}
          <p className="muted small">
            {edit.points.length} point{edit.points.length === 1 ? '' : 's'}{edit.box ? ' + box' : ''} · {view.clicks} click{view.clicks === 1 ? '' : 's'}
            {edit.handEdited && ' · hand-edited'}
            {edit.editing && ` · editing mask #${edit.editing.id} (v${edit.editing.version})`}
          </p>
        </section>
        <section className="actions">
          <div className="row">
            <button type="button" onClick={() => controller.undo()} disabled={!view.canUndo} title="Ctrl+Z">Undo</button>
            <button type="button" onClick={() => controller.redo()} disabled={!view.canRedo} title="Ctrl+Shift+Z">Redo</button>
            <button type="button" onClick={() => controller.clear()} disabled={!isDirty(edit)} title="Esc">Clear</button>
          </div>
          <div className="row">
            <button type="button" className="primary" onClick={() => void controller.save()} disabled={!edit.mask || view.saving} title="S or Enter">
              {view.saving ? 'Saving…' : edit.editing ? 'Save changes (S)' : 'Save (S)'}
            </button>
            <button type="button" onClick={() => void saveAndNext()} disabled={view.saving} title="N">Save &amp; next (N)</button>
          </div>
          <p className="muted small">
            {view.draftKept ? 'Draft kept in this browser until saved.' : 'Draft could not be stored (browser storage full).'}
          </p>
        </section>
        <ProposalList
          proposals={view.proposals} categories={categories} selectedId={view.selectedProposalId}
          editingId={edit.editing?.id ?? null} rejectedCount={view.rejectedCount} deciding={view.deciding}
          pending={view.proposalsPending}
          onSelect={(id) => controller.proposals.select(id)} onAccept={() => void controller.proposals.accept()}
          onReject={() => void controller.proposals.reject()} onFix={(id) => controller.proposals.fix(id)}
        />
        <SavedMaskList
          masks={view.savedMasks} categories={categories} selectedId={view.selectedMaskId}
          editingId={edit.editing?.id ?? null}
          onSelect={(id) => controller.selectMask(id)} onEdit={(id) => controller.editSavedMask(id)}
          onDelete={() => void controller.deleteSelected()}
        />
        {image && <Link to={{ page: 'masks', imageId: image.id }} className="small">All masks of this image →</Link>}
      </aside>
      {helpOpen && <HelpOverlay onClose={() => setHelpOpen(false)} />}
      {view.conflict && (
        <ConflictDialog
          conflict={view.conflict} bitmap={view.bitmap} categories={categories}
          onKeepMine={() => void controller.keepMine()} onTakeTheirs={() => void controller.takeTheirs()}
          onCancel={() => controller.dismissConflict()}
        />
      )}
    </main>
  );
}
