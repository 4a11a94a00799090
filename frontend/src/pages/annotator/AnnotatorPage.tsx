// The image annotator's layout: canvas in the middle, the side panel on the right, banners on top.
// All behaviour lives in AnnotatorController; this file maps the shared keymap and buttons onto it.
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { Command } from '../../core/keymap';
import { stageLabel } from '../../core/stages';
import { HelpOverlay } from '../annotate/HelpOverlay';
import { StageMessages } from '../annotate/StageMessages';
import { ToolBar } from '../annotate/ToolBar';
import { useAnnotationCanvas } from '../annotate/useAnnotationCanvas';
import { useAnnotatorKeys } from '../annotate/useAnnotatorKeys';
import { runToolCommand, runViewCommand } from '../annotate/viewCommands';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { AnnotatorController, type AnnotatorView } from './AnnotatorController';
import { AnnotatorSidePanel } from './AnnotatorSidePanel';
import type { WorkAction } from '../../core/work';
import { ConflictDialog } from './ConflictDialog';

/** What is happening to the picture: the embedding being prepared, a prediction on its way. */
function StageStatus({ view }: { view: AnnotatorView }) {
  const { preparing, predicting, embeddingStatus } = view;
  return (
    <>
      {preparing && (
        <div className="stage-overlay" role="status" data-testid="preparing">
          <div className="spinner" />
          Preparing image… {preparing.state === 'running' ? `${Math.round(preparing.progress * 100)}%` : preparing.state}
          <div className="muted small">The image embedding is being computed; your clicks are kept and sent when it is ready.</div>
        </div>
      )}
      {predicting && !preparing && <div className="stage-chip">Predicting…</div>}
      {!predicting && !preparing && embeddingStatus === 'pending' && (
        <div className="stage-chip" role="status">Preparing image… (the first click waits for it)</div>
      )}
      {embeddingStatus === 'failed' && (
        <div className="stage-chip error-chip" role="status">Preparing this image failed; predictions may be slow or unavailable.</div>
      )}
    </>
  );
}

export function AnnotatorPage({ imageId }: { imageId: number }) {
  const { api, navigate } = useApp();
  const controller = useMemo(() => new AnnotatorController(api, imageId), [api, imageId]);
  const view = useSyncExternalStore(controller.subscribe, controller.getView);
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useAnnotationCanvas(stageRef, view.status === 'ready', controller);

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

  // Complete, skip or flag leave the image for the next one (within the list's filter); reopen and
  // unflag keep it open here.
  async function decided(action: WorkAction) {
    const image = controller.getView().image;
    if (!image) return;
    if (action === 'reopen' || action === 'unflag') { await controller.refreshImage().catch(() => undefined); return; }
    const next = await api.nextImage(image.project, image.id).catch(() => null);
    navigate(next ? { page: 'annotate', imageId: next.id } : { page: 'images', projectId: image.project, pageNumber: 1 });
  }

  async function saveAndNext() {
    const next = await controller.saving.saveAndNext();
    if (typeof next === 'number') navigate({ page: 'annotate', imageId: next });
  }

  function run(command: Command): boolean | void {
    // The conflict dialog waits for an answer.
    if (controller.getView().conflict) return false;
    if (runViewCommand(canvasRef.current, command) || runToolCommand(controller, command)) return;
    switch (command) {
      case 'candidate1': return controller.chooseCandidate(0);
      case 'candidate2': return controller.chooseCandidate(1);
      case 'candidate3': return controller.chooseCandidate(2);
      case 'undo': return controller.undo();
      case 'redo': return controller.redo();
      case 'save': void controller.saving.save(); return;
      case 'saveAndNext': void saveAndNext(); return;
      case 'newObject': void controller.newObject(); return;
      case 'discard': return controller.clear();
      case 'deleteSelected': void controller.saving.deleteSelected(); return;
      case 'nextCategory': return controller.cycleCategory(1);
      case 'previousCategory': return controller.cycleCategory(-1);
      case 'acceptProposal': void controller.proposals.accept(); return;
      case 'rejectProposal': void controller.proposals.reject(); return;
      // Tab moves through proposals only when there are some; otherwise it keeps moving the focus.
      case 'nextItem': return controller.proposals.step(1);
      case 'previousItem': return controller.proposals.step(-1);
      default: return false;
    }
  }
  const { helpOpen, setHelpOpen } = useAnnotatorKeys('image', {
    run, home: () => canvasRef.current?.element ?? null, onAnyKey: () => controller.touch(),
  });

  if (view.status === 'loading') return <main className="page"><p className="muted">Loading image…</p></main>;
  if (view.status === 'error') {
    return <main className="page"><p className="form-error" role="alert">Could not open image {imageId}: {view.loadError}</p></main>;
  }

  const { image, project, model } = view;
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
          <ToolBar tool={view.tool} brushRadius={view.brushRadius} onTool={(tool) => controller.setTool(tool)} onHelp={() => setHelpOpen(true)} />
        </div>
        {model?.fallback && (
          <div className="banner banner-warning" role="status" data-testid="fallback-banner">
            Classical fallback active ({model.backend}): {model.reason ?? 'no model checkpoint is loaded'}. Masks come from
            GrabCut, not SAM: <strong>boxes work best</strong> — drag a box around each object, then refine with clicks or the
            brush. To annotate with SAM, fetch its weights on the server:{' '}
            <code data-testid="fetch-command">.venv/bin/python -m models fetch {model.requested && model.requested !== 'classical' ? model.requested : 'sam2:hiera_t'}</code>{' '}
            (the app switches to it without a restart).
          </div>
        )}
        {model?.warning && (
          <div className="banner banner-warning" role="alert" data-testid="unverified-model-banner">
            {model.warning}
          </div>
        )}
        <div className="stage" ref={stageRef}>
          <StageStatus view={view} />
          <StageMessages notice={view.notice} error={view.error} onDismiss={() => controller.dismissError()} />
        </div>
      </div>
      <AnnotatorSidePanel view={view} controller={controller} onSaveAndNext={() => void saveAndNext()} onDecided={(a) => void decided(a)} />
      {helpOpen && <HelpOverlay page="image" onClose={() => setHelpOpen(false)} />}
      {view.conflict && (
        <ConflictDialog
          conflict={view.conflict} bitmap={view.bitmap} categories={project?.categories ?? []}
          onKeepMine={() => void controller.saving.keepMine()} onTakeTheirs={() => void controller.saving.takeTheirs()}
          onCancel={() => controller.dismissConflict()}
        />
      )}
    </main>
  );
}
