// The video annotator's layout: the frame on the canvas, the scrubber and per-object timeline under
// it, tracker / objects / propagation / actions on the right. Behaviour lives in VideoController;
// this file maps the shared keymap and buttons onto it.
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { Command } from '../../core/keymap';
import { HelpOverlay } from '../annotate/HelpOverlay';
import { StageMessages } from '../annotate/StageMessages';
import { ToolBar } from '../annotate/ToolBar';
import { useAnnotationCanvas } from '../annotate/useAnnotationCanvas';
import { useAnnotatorKeys } from '../annotate/useAnnotatorKeys';
import { runToolCommand, runViewCommand } from '../annotate/viewCommands';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { ExtractingView } from './ExtractingView';
import { FrameScrubber } from './FrameScrubber';
import { ObjectPanel } from './ObjectPanel';
import { PropagatePanel } from './PropagatePanel';
import { VideoFields } from './VideoFields';
import { ItemState } from '../work/ItemState';
import { nextVideo } from '../../core/videoApi';
import { rememberedStates } from '../../core/work';
import { Timeline } from './Timeline';
import { VideoController, type SaveState, type VideoView } from './VideoController';
import './video.css';

const SAVE_LABEL: Record<SaveState, string> = { idle: 'Up to date', saving: 'Saving…', saved: 'Saved', error: 'Not saved' };

function EditActions({ view, controller }: { view: VideoView; controller: VideoController }) {
  const { prompts, selectedObj } = view;
  const clicks = prompts.points.length;
  return (
    <section className="actions">
      <div className="row">
        <button type="button" onClick={() => controller.undo()} disabled={!view.canUndo && clicks === 0 && !prompts.box} title="Ctrl+Z">Undo</button>
        <button type="button" className="primary" onClick={() => controller.applyBrush()} disabled={!view.brushDirty} title="S or Enter" data-testid="apply-brush">Apply brush</button>
        <button type="button" onClick={() => controller.discardBrush()} disabled={!view.brushDirty} title="Esc">Drop strokes</button>
      </div>
      <p className="muted small">
        {selectedObj !== null
          ? <>Object #{selectedObj} on this frame: {clicks} click{clicks === 1 ? '' : 's'}{prompts.box ? ' + box' : ''}</>
          : 'No object selected: a click starts a new one.'}
      </p>
      <p className="muted small">Left click: object · right or Shift+click: background · drag: box. Every prompt is stored on the server; a reload shows everything again.</p>
    </section>
  );
}

export function VideoAnnotatorPage({ videoId }: { videoId: number }) {
  const { api, navigate } = useApp();
  const controller = useMemo(() => new VideoController(api, videoId), [api, videoId]);
  const view = useSyncExternalStore(controller.subscribe, controller.getView);
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useAnnotationCanvas(stageRef, view.status === 'ready', controller, 'video frame being annotated');

  useEffect(() => {
    void controller.load();
    return () => controller.dispose();
  }, [controller]);

  function run(command: Command, event: KeyboardEvent): boolean | void {
    if (runViewCommand(canvasRef.current, command) || runToolCommand(controller, command)) return;
    const { objects } = controller;
    switch (command) {
      case 'previousFrame': return controller.step(-1);
      case 'nextFrame': return controller.step(1);
      case 'back10': return controller.step(-10);
      case 'forward10': return controller.step(10);
      case 'firstFrame': controller.pause(); void controller.goTo(0); return;
      case 'lastFrame': controller.pause(); void controller.goTo(controller.frameCount - 1); return;
      // Holding Space pans the frame: only a press plays or pauses.
      case 'playPause': if (!event.repeat) controller.togglePlay(); return;
      case 'undo': return controller.undo();
      case 'save': return controller.applyBrush();
      case 'discard': return controller.getView().removing !== null ? objects.cancelRemove() : controller.discardBrush();
      case 'newObject': objects.add(); return;
      case 'deleteSelected': return objects.askRemove();
      case 'nextCategory': return objects.stepCategory(1);
      case 'previousCategory': return objects.stepCategory(-1);
      // Tab moves through objects only when there are some; otherwise it keeps moving the focus.
      case 'nextItem': if (!controller.store.list().length) return false; return objects.step(1);
      case 'previousItem': if (!controller.store.list().length) return false; return objects.step(-1);
      case 'propagateForward': void controller.propagate('forward', 'all'); return;
      case 'propagateBackward': void controller.propagate('backward', 'all'); return;
      case 'propagateBoth': void controller.propagate('both', 'all'); return;
      default: return false;
    }
  }
  const { helpOpen, setHelpOpen } = useAnnotatorKeys('video', { run, home: () => canvasRef.current?.element ?? null });

  if (view.status === 'loading') return <main className="page"><p className="muted">Loading video…</p></main>;
  if (view.status === 'error') {
    return <main className="page"><p className="form-error" role="alert">Could not open video {videoId}: {view.loadError}</p></main>;
  }
  const { video, project } = view;
  if (view.status === 'extracting') return <ExtractingView video={video} project={project} />;

  const categories = project?.categories ?? [];
  const tracker = view.session?.tracker_version || null;

  async function leave(projectId: number) {
    const next = await nextVideo(api, projectId, rememberedStates(projectId)).catch(() => null);
    navigate(next && next.id !== videoId ? { page: 'video', videoId: next.id } : { page: 'videos', projectId, pageNumber: 1 });
  }
  return (
    <main className="annotator video-annotator">
      <div className="annotator-main">
        <div className="annotator-bar">
          <nav className="breadcrumbs">
            {project && <Link to={{ page: 'videos', projectId: project.id }}>{project.name}</Link>} / {video?.file_name}
            <span className="muted"> · {video?.width}×{video?.height} · {video?.annotation_fps} fps annotated</span>
          </nav>
          <span className="spacer" />
          <ToolBar tool={view.tool} brushRadius={view.brushRadius} onTool={(tool) => controller.setTool(tool)} onHelp={() => setHelpOpen(true)}>
            <span className={`save-state save-${view.saveState}`} data-testid="save-state" data-ops={view.savedOps} title={view.saveMessage ?? 'Prompts are stored on the server as soon as they are applied'}>
              {SAVE_LABEL[view.saveState]}
            </span>
          </ToolBar>
        </div>
        <div className="stage" ref={stageRef}>
          {view.frameLoading && <div className="stage-chip">Loading frame…</div>}
          {view.brushDirty && (
            <div className="stage-chip brush-chip" role="status">
              Brushed mask not sent · <strong>Enter</strong> to apply, <strong>Ctrl+Z</strong> to undo a stroke, <strong>Esc</strong> to drop
            </div>
          )}
          <StageMessages notice={view.notice} error={view.error} onDismiss={() => controller.dismissError()} noticeClass="video-notice" />
        </div>
        <FrameScrubber view={view} controller={controller} />
        <Timeline
          store={controller.store} version={view.storeVersion} objects={view.objects} frameCount={view.frames.length} frame={view.frame}
          selectedObj={view.selectedObj} categories={categories}
          onSeek={(f, objId) => { controller.pause(); if (objId !== null) controller.objects.select(objId); void controller.goTo(f); }}
        />
      </div>
      <aside className="side-panel">
        <section>
          <h2>Tracker</h2>
          <p className="model-line" data-testid="tracker-version">
            {tracker
              ? <>{tracker}{tracker.startsWith('classical') && <span className="badge warning" title="optical flow + GrabCut, not SAM 2">classical</span>}</>
              : <span className="muted">known after the first prompt</span>}
          </p>
        </section>
        <ObjectPanel view={view} controller={controller} categories={categories} />
        <PropagatePanel view={view} controller={controller} />
        <EditActions view={view} controller={controller} />
        <VideoFields videoId={videoId} />
        {project && <ItemState kind="video" id={videoId} onLeave={() => void leave(project.id)} />}
      </aside>
      {helpOpen && <HelpOverlay page="video" onClose={() => setHelpOpen(false)} />}
    </main>
  );
}
