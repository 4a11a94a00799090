// The video annotator's layout: the frame on the canvas, the scrubber and per-object timeline under
// it, objects / propagation / help on the right. Behaviour lives in VideoController.
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { AnnotationCanvas } from '../../canvas/AnnotationCanvas';
import { formatTime, objectColor } from '../../core/video';
import { VIDEO_SHORTCUTS, videoCommandForKey, type VideoCommand } from '../../core/videoShortcuts';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { Timeline } from './Timeline';
import { VideoController, type SaveState } from './VideoController';
import './video.css';

const TOOL_LABELS = { prompt: 'Points / box (P)', brush: 'Brush (B)', eraser: 'Eraser (E)', select: 'Select (V)' } as const;
const SAVE_LABEL: Record<SaveState, string> = { idle: 'Up to date', saving: 'Saving…', saved: 'Saved', error: 'Not saved' };

function typingInto(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  if (element.tagName === 'INPUT') return !['range', 'checkbox', 'radio', 'button'].includes((element as HTMLInputElement).type);
  return element.tagName === 'TEXTAREA' || element.isContentEditable;
}

export function VideoAnnotatorPage({ videoId }: { videoId: number }) {
  const { api } = useApp();
  const controller = useMemo(() => new VideoController(api, videoId), [api, videoId]);
  const view = useSyncExternalStore(controller.subscribe, controller.getView);
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<AnnotationCanvas | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);

  useEffect(() => {
    void controller.load();
    return () => controller.dispose();
  }, [controller]);

  useEffect(() => {
    if (!stageRef.current || view.status !== 'ready') return;
    const canvas = new AnnotationCanvas(stageRef.current);
    canvas.element.setAttribute('aria-label', 'video frame being annotated');
    canvasRef.current = canvas;
    controller.setCanvas(canvas);
    return () => {
      controller.setCanvas(null);
      canvas.destroy();
      canvasRef.current = null;
    };
  }, [controller, view.status]);

  const frameCount = view.frames.length;
  function run(command: VideoCommand): void {
    const canvas = canvasRef.current;
    switch (command) {
      case 'previousFrame': return controller.step(-1);
      case 'nextFrame': return controller.step(1);
      case 'back10': return controller.step(-10);
      case 'forward10': return controller.step(10);
      case 'firstFrame': controller.pause(); void controller.goTo(0); return;
      case 'lastFrame': controller.pause(); void controller.goTo(frameCount - 1); return;
      case 'playPause': return controller.togglePlay();
      case 'toolPrompt': return controller.setTool('prompt');
      case 'toolBrush': return controller.setTool('brush');
      case 'toolEraser': return controller.setTool('eraser');
      case 'toolSelect': return controller.setTool('select');
      case 'brushSmaller': return controller.resizeBrush(1 / 1.25);
      case 'brushLarger': return controller.resizeBrush(1.25);
      case 'undo': return controller.undo();
      case 'applyBrush': return controller.applyBrush();
      case 'discardBrush': return view.removing !== null ? controller.objects.cancelRemove() : controller.discardBrush();
      case 'newObject': controller.objects.add(); return;
      case 'nextObject': return controller.objects.step(1);
      case 'previousObject': return controller.objects.step(-1);
      case 'removeObject': return controller.objects.askRemove();
      case 'propagateForward': void controller.propagate('forward', 'all'); return;
      case 'propagateBackward': void controller.propagate('backward', 'all'); return;
      case 'propagateBoth': void controller.propagate('both', 'all'); return;
      case 'fit': return canvas?.fit();
      case 'zoomIn': return canvas?.zoom(1.25);
      case 'zoomOut': return canvas?.zoom(0.8);
    }
  }
  const runRef = useRef(run);
  useEffect(() => { runRef.current = run; });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingInto(e.target)) return;
      const tag = (e.target as HTMLElement)?.tagName;
      if (e.key === '?') {
        setHelpOpen((open) => !open);
        e.preventDefault();
        return;
      }
      if (e.key === 'Escape' && helpOpen) {
        setHelpOpen(false);
        e.preventDefault();
        return;
      }
      const command = videoCommandForKey(e);
      if (!command) return;
      // Buttons keep Enter and Space; a focused <select> (or the slider) keeps its arrow keys.
      if ((e.key === 'Enter' || e.key === ' ') && tag === 'BUTTON') return;
      if (tag === 'SELECT' && e.key.startsWith('Arrow')) return;
      if ((command === 'nextObject' || command === 'previousObject') && controller.store.list().length === 0) return;
      e.preventDefault();
      if (command === 'playPause' && e.repeat) return; // holding Space pans the frame
      runRef.current(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller, helpOpen]);

  const objects = view.objects;

  if (view.status === 'loading') return <main className="page"><p className="muted">Loading video…</p></main>;
  if (view.status === 'error') {
    return <main className="page"><p className="form-error" role="alert">Could not open video {videoId}: {view.loadError}</p></main>;
  }
  const { video, project } = view;
  if (view.status === 'extracting') {
    const job = video?.extraction_job;
    const total = video?.annotation_frame_count || 0;
    return (
      <main className="page">
        <nav className="breadcrumbs">
          {project && <Link to={{ page: 'videos', projectId: project.id }}>{project.name}</Link>} / {video?.file_name}
        </nav>
        <div className="extracting" role="status" data-testid="extracting">
          <div className="spinner" />
          <p>Extracting frames… {job ? `${Math.round((job.progress ?? 0) * 100)}%` : ''} {total ? `(${video?.frames_extracted ?? 0} of ${total} frames)` : ''}</p>
          <div className="progress"><div className="progress-bar" style={{ width: `${Math.round((job?.progress ?? 0) * 100)}%` }} /></div>
          <p className="muted small">The annotator opens by itself when the frames are ready.</p>
        </div>
      </main>
    );
  }

  const categories = project?.categories ?? [];
  const frame = view.frames[view.frame];
  const selected = view.selectedObj;
  const propagation = view.propagation;
  const serverObjects = objects.filter((o) => !o.local).length;
  const tracker = view.session?.tracker_version ?? null;
  return (
    <main className="annotator video-annotator">
      <div className="annotator-main">
        <div className="annotator-bar">
          <nav className="breadcrumbs">
            {project && <Link to={{ page: 'videos', projectId: project.id }}>{project.name}</Link>} / {video?.file_name}
            <span className="muted"> · {video?.width}×{video?.height} · {video?.annotation_fps} fps annotated</span>
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
          <span className={`save-state save-${view.saveState}`} data-testid="save-state" data-ops={view.savedOps} title={view.saveMessage ?? 'Prompts are stored on the server as soon as they are applied'}>
            {SAVE_LABEL[view.saveState]}
          </span>
          <button type="button" className="tool" onClick={() => setHelpOpen(true)} aria-label="keyboard shortcuts">?</button>
        </div>
        <div className="stage" ref={stageRef}>
          {view.frameLoading && <div className="stage-chip">Loading frame…</div>}
          {view.brushDirty && (
            <div className="stage-chip brush-chip" role="status">
              Brushed mask not sent · <strong>Enter</strong> to apply, <strong>Ctrl+Z</strong> to undo a stroke, <strong>Esc</strong> to drop
            </div>
          )}
          {view.notice && <div className="stage-chip notice-chip video-notice" role="status" data-testid="notice">{view.notice}</div>}
          {view.error && (
            <div className="banner banner-error stage-error" role="alert">
              {view.error}
              <button type="button" className="link-button" onClick={() => controller.dismissError()}>dismiss</button>
            </div>
          )}
        </div>
        <div className="scrubber">
          <button type="button" onClick={() => controller.step(-1)} disabled={view.frame === 0} aria-label="previous frame" title="←">◀</button>
          <button type="button" className="play" onClick={() => controller.togglePlay()} aria-label={view.playing ? 'pause' : 'play'} title="Space" data-testid="play">
            {view.playing ? '❚❚' : '▶'}
          </button>
          <button type="button" onClick={() => controller.step(1)} disabled={view.frame >= frameCount - 1} aria-label="next frame" title="→">▶|</button>
          <input
            type="range" min={0} max={Math.max(0, frameCount - 1)} value={view.frame} aria-label="frame" data-testid="frame-slider"
            onChange={(e) => { controller.pause(); void controller.goTo(Number(e.target.value)); }}
            onKeyDown={(e) => { if (e.key.startsWith('Arrow')) e.stopPropagation(); }}
          />
          <label className="frame-number">
            <span className="muted small">frame</span>
            <input
              type="number" min={0} max={Math.max(0, frameCount - 1)} value={view.frame} aria-label="frame number" data-testid="frame-number"
              onChange={(e) => { if (e.target.value !== '') void controller.goTo(Number(e.target.value)); }}
            />
            <span className="muted small">/ {Math.max(0, frameCount - 1)}</span>
          </label>
          <span className="muted small frame-time" title={frame ? `source frame ${frame.source_index}` : undefined}>{formatTime(frame?.timestamp)}</span>
        </div>
        <Timeline
          store={controller.store} version={view.storeVersion} objects={objects} frameCount={frameCount} frame={view.frame}
          selectedObj={selected} categories={categories}
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
        <section className="video-objects">
          <div className="section-head">
            <h2>Objects ({objects.length})</h2>
            <span className="spacer" />
            <button type="button" onClick={() => controller.objects.add()} title="N" data-testid="add-object">+ Add object</button>
          </div>
          {objects.length === 0 && <p className="muted small">Click an object on the frame to start tracking it.</p>}
          <ul data-testid="objects">
            {objects.map((o) => {
              const mask = controller.store.mask(o.objId, view.frame);
              const categoryId = controller.objects.categoryOf(o.objId);
              return (
                <li key={o.objId} className={o.objId === selected ? 'selected' : ''} data-testid={`object-${o.objId}`}>
                  <button type="button" className="mask-row" onClick={() => controller.objects.select(o.objId)} aria-pressed={o.objId === selected}>
                    <span className="swatch" style={{ background: objectColor(o.objId) }} />
                    <span className="mask-name">#{o.objId} {categories.find((c) => c.id === categoryId)?.name ?? 'no category'}</span>
                    <span className="muted small">
                      {o.local ? 'new' : mask ? (mask.area > 0 ? `${mask.area}px${mask.edited ? ' · edited' : ''}` : 'not visible') : '—'}
                    </span>
                  </button>
                  {o.objId === selected && (
                    <div className="object-actions">
                      <select
                        aria-label="category" value={categoryId ?? ''}
                        onChange={(e) => { controller.objects.setCategory(o.objId, e.target.value === '' ? null : Number(e.target.value)); e.target.blur(); }}
                      >
                        <option value="">(no category)</option>
                        {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                      </select>
                      <button type="button" className="danger" onClick={() => controller.objects.askRemove(o.objId)}>Remove</button>
                      {o.objId in view.pendingCategory && <p className="muted small">The category is stored with this object's next click or brushed mask.</p>}
                      {view.removing === o.objId && (
                        <div className="confirm" role="alertdialog" aria-label="remove object">
                          <p>Remove object #{o.objId} from every frame of the video?</p>
                          <div className="row">
                            <button type="button" className="danger" onClick={() => void controller.objects.confirmRemove()} data-testid="confirm-remove">Remove</button>
                            <button type="button" onClick={() => controller.objects.cancelRemove()}>Cancel</button>
                          </div>
                        </div>
                      )}
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
        <section className="propagate">
          <h2>Propagate from frame {view.frame}</h2>
          <div className="propagate-buttons">
            <button type="button" className="primary" disabled={!!propagation || serverObjects === 0} onClick={() => void controller.propagate('forward', 'all')} data-testid="propagate-forward">Forward ▶</button>
            <button type="button" disabled={!!propagation || serverObjects === 0} onClick={() => void controller.propagate('backward', 'all')} data-testid="propagate-backward">◀ Backward</button>
            <button type="button" disabled={!!propagation || serverObjects === 0} onClick={() => void controller.propagate('both', 'all')} data-testid="propagate-both">Both ◀▶</button>
          </div>
          <div className="propagate-selected">
            <span className="muted small">Selected only:</span>
            {(['forward', 'backward', 'both'] as const).map((direction) => (
              <button
                key={direction} type="button" className="small-button"
                disabled={!!propagation || selected === null || !!controller.store.get(selected)?.local}
                onClick={() => void controller.propagate(direction, 'selected')}
              >
                {direction}
              </button>
            ))}
          </div>
          {propagation && (
            <div className="propagation" role="status" data-testid="propagation">
              <div className="progress">
                <div className="progress-bar" style={{ width: `${Math.round(propagation.job.progress * 100)}%` }} />
                <span className="progress-label">
                  {propagation.cancelling ? 'cancelling…' : `${propagation.direction} · ${propagation.job.state} ${Math.round(propagation.job.progress * 100)}%`}
                </span>
              </div>
              <button type="button" className="danger" onClick={() => void controller.cancelPropagation()} disabled={propagation.cancelling || propagation.job.id === null} data-testid="cancel-propagation">Cancel</button>
            </div>
          )}
          {propagation?.job.message && <p className="muted small propagation-message">{propagation.job.message}</p>}
          <p className="muted small">Frames a person made (◆ in the timeline) are kept when propagating.</p>
        </section>
        <section className="actions">
          <div className="row">
            <button type="button" onClick={() => controller.undo()} disabled={!view.canUndo && view.prompts.points.length === 0 && !view.prompts.box} title="Ctrl+Z">Undo</button>
            <button type="button" className="primary" onClick={() => controller.applyBrush()} disabled={!view.brushDirty} title="Enter" data-testid="apply-brush">Apply brush</button>
            <button type="button" onClick={() => controller.discardBrush()} disabled={!view.brushDirty} title="Esc">Drop strokes</button>
          </div>
          <p className="muted small">
            {selected !== null
              ? <>Object #{selected} on this frame: {view.prompts.points.length} click{view.prompts.points.length === 1 ? '' : 's'}{view.prompts.box ? ' + box' : ''}</>
              : 'No object selected: a click starts a new one.'}
          </p>
          <p className="muted small">Left click: object · right or Shift+click: background · drag: box. Every prompt is stored on the server; a reload shows everything again.</p>
        </section>
      </aside>
      {helpOpen && (
        <div className="modal-backdrop" onClick={() => setHelpOpen(false)}>
          <div className="modal help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
            <h2>Video annotator keys</h2>
            <table>
              <tbody>
                {VIDEO_SHORTCUTS.map((s) => <tr key={s.keys}><td><kbd>{s.keys}</kbd></td><td>{s.description}</td></tr>)}
                <tr><td><kbd>Space+drag</kbd> / wheel</td><td>Pan / zoom</td></tr>
              </tbody>
            </table>
            <button type="button" className="primary" onClick={() => setHelpOpen(false)}>Close (Esc)</button>
          </div>
        </div>
      )}
    </main>
  );
}
