// One submitted mask under review: the image with the mask over it; accept (A), reject with a reason
// (R or X), or fix it with the brush or the eraser (B / E; Enter saves the fix, Esc drops it). The keys
// are the shared keymap's, as in the annotators.
import { useEffect, useRef, useState } from 'react';
import type { Category, MaskRecord } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { BrushStrokes, nextBrushRadius } from '../../core/brush';
import type { Command } from '../../core/keymap';
import type { CompressedRle } from '../../core/rle';
import { AnnotationCanvas } from '../../canvas/AnnotationCanvas';
import { HelpOverlay } from '../annotate/HelpOverlay';
import { useAnnotatorKeys } from '../annotate/useAnnotatorKeys';
import { runViewCommand } from '../annotate/viewCommands';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import type { Decision } from './queue';
import { RejectBox } from './RejectBox';

const MASK_COLOR = '#ff7f0e';

/** Shown per (mask, version): a newer version of the same mask mounts a fresh one. */
export function MaskReview({ mask, busy, onDecide, categories = [] }: {
  mask: MaskRecord; busy: boolean; categories?: Category[];
  onDecide: (decision: Decision, extra: { reason?: string; rle?: CompressedRle }) => void;
}) {
  const { api } = useApp();
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<AnnotationCanvas | null>(null);
  const strokesRef = useRef<BrushStrokes | null>(null);
  const [mode, setMode] = useState<'view' | 'reject' | 'fix'>('view');
  const [tool, setTool] = useState<'brush' | 'eraser'>('brush');
  const [radius, setRadius] = useState(8);
  const [edited, setEdited] = useState(false);
  const [imageError, setImageError] = useState<string | null>(null);
  const [imageReady, setImageReady] = useState(false);
  const image = useAsync(() => api.image(mask.image), [api, mask.image]);

  // The canvas, with the mask as its working mask (the brush paints into it).
  useEffect(() => {
    if (!stageRef.current) return;
    const canvas = new AnnotationCanvas(stageRef.current);
    const strokes = BrushStrokes.over(mask.rle, 0, 0);
    strokesRef.current = strokes;
    canvas.setTool('select');
    canvas.setWorkingMask(strokes.mask, MASK_COLOR);
    canvasRef.current = canvas;
    const off = canvas.on('strokeend', () => {
      strokesRef.current?.commitStroke();
      setEdited(!!strokesRef.current?.dirty);
    });
    return () => { off(); canvas.destroy(); canvasRef.current = null; };
  }, [mask.rle]);

  // The picture of the mask's image.
  useEffect(() => {
    const record = image.data;
    if (!record) return;
    let live = true;
    api.imageBlob(record).then((blob) => createImageBitmap(blob)).then((bitmap) => {
      if (!live) return;
      canvasRef.current?.setImage(bitmap, record.width || bitmap.width, record.height || bitmap.height);
      setImageReady(true);
    }).catch((e) => { if (live) setImageError(errorMessage(e)); });
    return () => { live = false; };
  }, [api, image.data]);

  useEffect(() => {
    canvasRef.current?.setTool(mode === 'fix' ? tool : 'select');
    canvasRef.current?.setBrushRadius(radius);
  }, [mode, tool, radius]);

  const startFix = (with_: 'brush' | 'eraser' = tool) => {
    setTool(with_);
    setMode('fix');
  };
  const saveFix = () => {
    if (strokesRef.current) onDecide('fix', { rle: strokesRef.current.toRle() });
  };
  const cancelFix = () => {
    const strokes = BrushStrokes.over(mask.rle, 0, 0);
    strokesRef.current = strokes;
    canvasRef.current?.setWorkingMask(strokes.mask, MASK_COLOR);
    setEdited(false);
    setMode('view');
  };
  const undoStroke = () => {
    const strokes = strokesRef.current;
    if (!strokes?.undo()) return;
    canvasRef.current?.setWorkingMask(strokes.mask, MASK_COLOR);
    setEdited(strokes.dirty);
  };

  function run(command: Command): boolean | void {
    if (runViewCommand(canvasRef.current, command)) return;
    if (busy || mode === 'reject') return false;
    if (command === 'toolBrush' || command === 'toolEraser') return startFix(command === 'toolBrush' ? 'brush' : 'eraser');
    if (mode === 'view') {
      if (command === 'acceptProposal') return onDecide('accept', {});
      if (command === 'rejectProposal') return setMode('reject');
      return false;
    }
    switch (command) {
      case 'save': return saveFix();
      case 'discard': return cancelFix();
      case 'undo': return undoStroke();
      case 'brushSmaller': return setRadius((r) => nextBrushRadius(r, 1 / 1.25));
      case 'brushLarger': return setRadius((r) => nextBrushRadius(r, 1.25));
      default: return false;
    }
  }
  const { helpOpen, setHelpOpen } = useAnnotatorKeys('review', { run, home: () => canvasRef.current?.element ?? null });

  return (
    <div className="review-item" data-testid="review-mask" data-mask-id={mask.id} data-ready={imageReady ? 'true' : 'false'}>
      <div className="review-stage" ref={stageRef} />
      <aside className="review-side">
        <h2 className="section-title">Mask {mask.id}</h2>
        <dl className="facts small">
          <dt>Image</dt><dd>{image.data?.file_name ?? mask.image} <Link to={{ page: 'annotate', imageId: mask.image }}>open</Link></dd>
          <dt>Category</dt><dd data-testid="review-category">{categories.find((c) => c.id === mask.category)?.name ?? 'none'}</dd>
          <dt>Annotator</dt><dd data-testid="review-annotator">{mask.annotator ?? 'the model'}</dd>
          <dt>Time</dt><dd>{mask.seconds.toFixed(1)} s · {mask.clicks} clicks</dd>
          <dt>Model</dt><dd className="small">{mask.model_version || '—'}</dd>
          <dt>Area</dt><dd>{mask.area} px</dd>
          <dt>Source</dt><dd>{mask.source}</dd>
          <dt>Version</dt><dd>{mask.version}</dd>
        </dl>
        {(image.error || imageError) && <p className="form-error">{image.error ?? imageError}</p>}
        {mode === 'view' && (
          <div className="review-buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => onDecide('accept', {})}>Accept <kbd>A</kbd></button>
            <button type="button" className="danger" disabled={busy} onClick={() => setMode('reject')}>Reject <kbd>R</kbd></button>
            <button type="button" disabled={busy} onClick={() => startFix('brush')}>Fix <kbd>B</kbd></button>
          </div>
        )}
        {mode === 'view' && (
          <p className="muted small">
            E fixes with the eraser · <button type="button" className="link-button" onClick={() => setHelpOpen(true)}>? every key</button>
          </p>
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
            <p className="muted small">Ctrl+Z takes back a stroke; [ / ] change the size ({radius}px).</p>
          </div>
        )}
      </aside>
      {helpOpen && <HelpOverlay page="review" onClose={() => setHelpOpen(false)} />}
    </div>
  );
}
