// The review queue of a project (reviewers and managers): the oldest submitted item first; accept (A),
// reject with a reason (R), or fix a mask with brush / eraser (F) — then the next item loads.
// Masklets are judged as a whole (accept / reject) over their frames with a scrubber.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, VersionConflict, type MaskRecord } from '../../core/api';
import { decode, encode, type BinaryMask, type CompressedRle } from '../../core/rle';
import { masklets as loadMasklets, video as loadVideo, type VideoRecord } from '../../core/videoApi';
import { AnnotationCanvas } from '../../canvas/AnnotationCanvas';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import { FrameView, Scrubber, useFrames } from '../plm/FrameView';
import { ItemTimer, ReviewQueue, decisionError, type Decision } from './queue';
import {
  maskQueue, maskletQueue, reviewMask, reviewMasklet, type MaskletRecord, type QueueKind,
} from './reviewApi';
import './review.css';

/** Keys typed into a field are text; the frame scrubber (a range input) still lets A / R through. */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.tagName === 'INPUT') return (el as HTMLInputElement).type !== 'range';
  return el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

function isRange(target: EventTarget | null): boolean {
  return (target as HTMLInputElement | null)?.type === 'range';
}

function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  return String((error as Error)?.message ?? error);
}

/** Reason box for a rejection: required, sent with the button or Ctrl+Enter, Escape closes. */
function RejectBox({ onSend, onCancel, busy }: { onSend: (reason: string) => void; onCancel: () => void; busy: boolean }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  const send = () => {
    const problem = decisionError('reject', reason);
    setError(problem);
    if (!problem) onSend(reason.trim());
  };
  return (
    <div className="review-reject" data-testid="reject-box">
      <label htmlFor="reject-reason" className="section-title">Why is it rejected? The annotator reads this.</label>
      <textarea id="reject-reason" name="reason" ref={ref} rows={3} value={reason}
        onChange={(e) => { setReason(e.target.value); setError(null); }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
          if (e.key === 'Escape') { e.preventDefault(); onCancel(); }
        }} />
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="actions">
        <button type="button" className="danger" onClick={send} disabled={busy}>Send rejection</button>
        <button type="button" onClick={onCancel}>Cancel</button>
        <span className="muted small">Ctrl+Enter sends, Esc cancels</span>
      </div>
    </div>
  );
}

// --- masks

function MaskReview({ mask, busy, onDecide }: {
  mask: MaskRecord; busy: boolean;
  onDecide: (decision: Decision, extra: { reason?: string; rle?: CompressedRle }) => void;
}) {
  const { api } = useApp();
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<AnnotationCanvas | null>(null);
  const workingRef = useRef<BinaryMask | null>(null);
  const [mode, setMode] = useState<'view' | 'reject' | 'fix'>('view');
  const [tool, setTool] = useState<'brush' | 'eraser'>('brush');
  const [edited, setEdited] = useState(false);
  const [imageError, setImageError] = useState<string | null>(null);
  const [imageReady, setImageReady] = useState(false);
  const image = useAsync(() => api.image(mask.image), [api, mask.image]);

  useEffect(() => {
    if (!stageRef.current) return;
    const canvas = new AnnotationCanvas(stageRef.current);
    canvas.setTool('select');
    canvasRef.current = canvas;
    const off = canvas.on('strokeend', () => setEdited(true));
    return () => { off(); canvas.destroy(); canvasRef.current = null; };
  }, []);

  // The picture of the mask's image (once per image) and the mask itself (per item / version).
  useEffect(() => {
    const record = image.data;
    if (!record) return;
    let live = true;
    api.imageBlob(record).then((blob) => createImageBitmap(blob)).then((bitmap) => {
      if (!live) return;
      canvasRef.current?.setImage(bitmap, record.width || bitmap.width, record.height || bitmap.height);
      setImageReady(true);
    }).catch((e) => { if (live) setImageError(errorText(e)); });
    return () => { live = false; };
  }, [api, image.data]);

  useEffect(() => {
    const working = decode(mask.rle);
    workingRef.current = working;
    canvasRef.current?.setWorkingMask(working, '#ff7f0e');
    canvasRef.current?.setTool('select');
    setMode('view');
    setEdited(false);
  }, [mask.id, mask.version, mask.rle]);

  useEffect(() => {
    canvasRef.current?.setTool(mode === 'fix' ? tool : 'select');
  }, [mode, tool]);

  const saveFix = useCallback(() => {
    if (!workingRef.current) return;
    onDecide('fix', { rle: encode(workingRef.current) });
  }, [onDecide]);

  const cancelFix = useCallback(() => {
    const working = decode(mask.rle);
    workingRef.current = working;
    canvasRef.current?.setWorkingMask(working, '#ff7f0e');
    setEdited(false);
    setMode('view');
  }, [mask.rle]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (busy || isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const key = e.key.toLowerCase();
      if (mode === 'view') {
        if (key === 'a') { e.preventDefault(); onDecide('accept', {}); }
        else if (key === 'r') { e.preventDefault(); setMode('reject'); }
        else if (key === 'f') { e.preventDefault(); canvasRef.current?.setTool(tool); setMode('fix'); }
      } else if (mode === 'fix') {
        if (key === 'b') setTool('brush');
        else if (key === 'e') setTool('eraser');
        else if (key === 'enter') { e.preventDefault(); saveFix(); }
        else if (key === 'escape') cancelFix();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, mode, tool, onDecide, saveFix, cancelFix]);

  return (
    <div className="review-item" data-testid="review-mask" data-mask-id={mask.id} data-ready={imageReady ? 'true' : 'false'}>
      <div className="review-stage" ref={stageRef} />
      <aside className="review-side">
        <h2 className="section-title">Mask {mask.id}</h2>
        <dl className="facts small">
          <dt>Image</dt><dd>{image.data?.file_name ?? mask.image} <Link to={{ page: 'annotate', imageId: mask.image }}>open</Link></dd>
          <dt>Area</dt><dd>{mask.area} px</dd>
          <dt>Source</dt><dd>{mask.source}</dd>
          <dt>Version</dt><dd>{mask.version}</dd>
        </dl>
        {(image.error || imageError) && <p className="form-error">{image.error ?? imageError}</p>}
        {mode === 'view' && (
          <div className="review-buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => onDecide('accept', {})}>Accept <kbd>A</kbd></button>
            <button type="button" className="danger" disabled={busy} onClick={() => setMode('reject')}>Reject <kbd>R</kbd></button>
            <button type="button" disabled={busy} onClick={() => { canvasRef.current?.setTool(tool); setMode('fix'); }}>Fix <kbd>F</kbd></button>
          </div>
        )}
        {mode === 'reject' && (
          <RejectBox busy={busy} onCancel={() => setMode('view')} onSend={(reason) => onDecide('reject', { reason })} />
        )}
        {mode === 'fix' && (
          <div className="review-fix" data-testid="fix-tools">
            <p className="small">Paint the mask right, then save: it is accepted with your correction.</p>
            <div className="tool-group">
              <button type="button" className={tool === 'brush' ? 'tool active' : 'tool'} aria-pressed={tool === 'brush'} onClick={() => setTool('brush')}>Brush <kbd>B</kbd></button>
              <button type="button" className={tool === 'eraser' ? 'tool active' : 'tool'} aria-pressed={tool === 'eraser'} onClick={() => setTool('eraser')}>Eraser <kbd>E</kbd></button>
            </div>
            <div className="actions">
              <button type="button" className="primary" disabled={busy || !edited} onClick={saveFix}>Save fix <kbd>Enter</kbd></button>
              <button type="button" onClick={cancelFix}>Cancel <kbd>Esc</kbd></button>
            </div>
          </div>
        )}
      </aside>
    </div>
  );
}

// --- masklets

function MaskletReview({ masklet, busy, onDecide }: {
  masklet: MaskletRecord; busy: boolean; onDecide: (decision: Decision, extra: { reason?: string }) => void;
}) {
  const { api } = useApp();
  const [frame, setFrame] = useState(0);
  const [rejecting, setRejecting] = useState(false);
  const { cache, error: framesError } = useFrames(api, masklet.video);
  const video = useAsync<VideoRecord>(() => loadVideo(api, masklet.video), [api, masklet.video]);
  const rows = useAsync(() => loadMasklets(api, masklet.video), [api, masklet.video, masklet.id]);
  const masks = useMemo(() => {
    const byFrame = new Map<number, CompressedRle>();
    for (const row of rows.data?.frames ?? []) if (row.object_id === masklet.object_id && row.area > 0) byFrame.set(row.frame, row.rle);
    return byFrame;
  }, [rows.data, masklet.object_id]);
  const present = useMemo(() => [...masks.keys()].sort((a, b) => a - b), [masks]);
  useEffect(() => { setRejecting(false); }, [masklet.id]);
  useEffect(() => { if (present.length) setFrame(present[0]); }, [present]);
  const count = cache?.frames.length ?? video.data?.annotation_frame_count ?? 0;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (busy || rejecting || isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === 'a') { e.preventDefault(); onDecide('accept', {}); }
      else if (key === 'r') { e.preventDefault(); setRejecting(true); }
      else if (isRange(e.target)) return; // the scrubber steps through frames itself
      else if (e.key === 'ArrowRight') setFrame((f) => Math.min(count - 1, f + 1));
      else if (e.key === 'ArrowLeft') setFrame((f) => Math.max(0, f - 1));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, rejecting, onDecide, count]);

  return (
    <div className="review-item" data-testid="review-masklet" data-masklet-id={masklet.id}>
      <div className="review-video">
        <FrameView cache={cache} frame={frame} mask={masks.get(frame) ?? null} label={`masklet ${masklet.id} on frame ${frame}`} />
        <Scrubber frame={frame} count={count} onChange={setFrame} marks={present} fps={video.data?.annotation_fps ?? 0} />
      </div>
      <aside className="review-side">
        <h2 className="section-title">Masklet {masklet.id} (object {masklet.object_id})</h2>
        <dl className="facts small">
          <dt>Video</dt><dd>{video.data?.file_name ?? masklet.video} <Link to={{ page: 'video', videoId: masklet.video }}>open</Link></dd>
          <dt>Frames</dt><dd>{masklet.frames.visible} visible of {masklet.frames.count} ({masklet.frames.edited} edited)</dd>
        </dl>
        {(framesError || rows.error || video.error) && <p className="form-error">{framesError ?? rows.error ?? video.error}</p>}
        <p className="small muted">A masklet is judged as a whole; fix it in the video page.</p>
        {!rejecting ? (
          <div className="review-buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => onDecide('accept', {})}>Accept <kbd>A</kbd></button>
            <button type="button" className="danger" disabled={busy} onClick={() => setRejecting(true)}>Reject <kbd>R</kbd></button>
          </div>
        ) : (
          <RejectBox busy={busy} onCancel={() => setRejecting(false)} onSend={(reason) => onDecide('reject', { reason })} />
        )}
      </aside>
    </div>
  );
}

// --- the page

export function ReviewQueuePage({ projectId, kind: routeKind }: { projectId: number; kind?: QueueKind }) {
  const { api, navigate } = useApp();
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const kind: QueueKind | null = routeKind ?? (project.data ? (project.data.kind === 'video' ? 'masklet' : 'mask') : null);
  const queue = useMemo(() => new ReviewQueue<MaskRecord | MaskletRecord>(), [projectId, kind]); // eslint-disable-line react-hooks/exhaustive-deps
  const timer = useMemo(() => new ItemTimer(), []);
  const [, setTick] = useState(0);
  const refresh = () => setTick((t) => t + 1);
  const [loadError, setLoadError] = useState<{ status: number; text: string } | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!kind) return;
    try {
      const answer = kind === 'mask' ? await maskQueue(api, projectId) : await maskletQueue(api, projectId);
      queue.load(answer.results, answer.count);
      setLoadError(null);
      timer.restart();
    } catch (error) {
      setLoadError({ status: error instanceof ApiError ? error.status : 0, text: errorText(error) });
    } finally {
      setLoaded(true);
      refresh();
    }
  }, [api, projectId, kind, queue, timer]);

  useEffect(() => { setLoaded(false); void load(); }, [load]);

  const current = queue.current;
  const advance = useCallback(async () => {
    timer.restart();
    if (queue.needsReload) await load();
    refresh();
  }, [queue, timer, load]);

  const decideMask = useCallback(async (decision: Decision, extra: { reason?: string; rle?: CompressedRle }) => {
    const mask = queue.current as MaskRecord | null;
    if (!mask || busy) return;
    setBusy(true);
    setNotice(null);
    try {
      await reviewMask(api, mask.id, { decision, version: mask.version, seconds: timer.seconds, ...extra });
      queue.decide(mask.id);
      setNotice(`Mask ${mask.id} ${decision === 'accept' ? 'accepted' : decision === 'reject' ? 'rejected' : 'fixed and accepted'}.`);
      await advance();
    } catch (error) {
      if (error instanceof VersionConflict) {
        if (error.current.status === 'submitted') {
          queue.replace(error.current);
          setNotice(`Mask ${mask.id} changed since it was shown: it is reloaded, look again.`);
        } else {
          queue.decide(mask.id);
          setNotice(`Mask ${mask.id} was already decided (${error.current.status}); next item.`);
          await advance();
        }
        timer.restart();
      } else if (error instanceof ApiError && error.status === 400 && (error.body as { status?: unknown })?.status) {
        queue.decide(mask.id);
        setNotice(`${error.detail}; next item.`);
        await advance();
      } else {
        setNotice(`Not saved: ${errorText(error)}`);
      }
    } finally {
      setBusy(false);
      refresh();
    }
  }, [api, queue, timer, busy, advance]);

  const decideMasklet = useCallback(async (decision: Decision, extra: { reason?: string }) => {
    const masklet = queue.current as MaskletRecord | null;
    if (!masklet || busy || decision === 'fix') return;
    setBusy(true);
    setNotice(null);
    try {
      await reviewMasklet(api, masklet.id, { decision, reason: extra.reason ?? '', seconds: timer.seconds });
      queue.decide(masklet.id);
      setNotice(`Masklet ${masklet.id} ${decision === 'accept' ? 'accepted' : 'rejected'}.`);
      await advance();
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && (error.body as { status?: unknown })?.status) {
        queue.decide(masklet.id);
        setNotice(`${error.detail}; next item.`);
        await advance();
      } else {
        setNotice(`Not saved: ${errorText(error)}`);
      }
    } finally {
      setBusy(false);
      refresh();
    }
  }, [api, queue, timer, busy, advance]);

  const forbidden = loadError && (loadError.status === 403 || loadError.status === 404);
  return (
    <main className="page review-page" data-testid="review-page">
      <nav className="breadcrumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'} / Review
      </nav>
      <div className="page-head">
        <h1>Review queue</h1>
        {!forbidden && kind && (
          <div className="review-kinds">
            <button type="button" className={kind === 'mask' ? 'tool active' : 'tool'} aria-pressed={kind === 'mask'}
              onClick={() => navigate({ page: 'review', projectId, kind: 'mask' })}>Masks</button>
            <button type="button" className={kind === 'masklet' ? 'tool active' : 'tool'} aria-pressed={kind === 'masklet'}
              onClick={() => navigate({ page: 'review', projectId, kind: 'masklet' })}>Masklets</button>
          </div>
        )}
        {!forbidden && loaded && (
          <span className="badge" data-testid="review-remaining">{queue.remaining} waiting</span>
        )}
        {queue.decidedCount > 0 && <span className="badge muted">{queue.decidedCount} decided here</span>}
        {notice && <p className="notice notice-ok review-notice" role="status" data-testid="review-notice">{notice}</p>}
      </div>
      {forbidden && (
        <div className="banner banner-error" role="alert" data-testid="review-forbidden">
          <strong>You cannot review this project.</strong> Only its reviewers and managers see the review queue
          {loadError.status === 403 ? ' (your role here does not allow reviewing).' : ' (the project is not shared with you).'}
          {' '}<Link to={{ page: 'projects' }}>Back to projects</Link>
        </div>
      )}
      {loadError && !forbidden && <p className="form-error" role="alert">Could not load the queue: {loadError.text}</p>}
      {project.error && !loadError && <p className="form-error">{project.error}</p>}
      {loaded && !loadError && !current && (
        <div className="notice" data-testid="review-empty">
          <strong>Nothing to review.</strong> Every submitted {kind === 'masklet' ? 'masklet' : 'mask'} of this project has been decided.
        </div>
      )}
      {current && kind === 'mask' && <MaskReview key={current.id} mask={current as MaskRecord} busy={busy} onDecide={decideMask} />}
      {current && kind === 'masklet' && <MaskletReview key={current.id} masklet={current as MaskletRecord} busy={busy} onDecide={decideMasklet} />}
    </main>
  );
}
