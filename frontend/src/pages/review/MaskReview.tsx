// One submitted mask under review: the image with the mask over it; accept (A), reject with a reason
// (R), or fix it with brush / eraser (F, then B / E, Enter saves the fix, Esc drops it).
import { useEffect, useRef, useState } from 'react';
import type { MaskRecord } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { BrushStrokes } from '../../core/brush';
import type { CompressedRle } from '../../core/rle';
import { AnnotationCanvas } from '../../canvas/AnnotationCanvas';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import type { Decision } from './queue';
import { RejectBox } from './RejectBox';
import { isReviewTyping } from './reviewKeys';

const MASK_COLOR = '#ff7f0e';

/** Shown per (mask, version): a newer version of the same mask mounts a fresh one. */
export function MaskReview({ mask, busy, onDecide }: {
  mask: MaskRecord; busy: boolean;
  onDecide: (decision: Decision, extra: { reason?: string; rle?: CompressedRle }) => void;
}) {
  const { api } = useApp();
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<AnnotationCanvas | null>(null);
  const strokesRef = useRef<BrushStrokes | null>(null);
  const [mode, setMode] = useState<'view' | 'reject' | 'fix'>('view');
  const [tool, setTool] = useState<'brush' | 'eraser'>('brush');
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
  }, [mode, tool]);

  const startFix = () => setMode('fix');
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
  const keys = { mode, busy, accept: () => onDecide('accept', {}), reject: () => setMode('reject'), startFix, setTool, saveFix, cancelFix };
  const keysRef = useRef(keys);
  useEffect(() => { keysRef.current = keys; });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = keysRef.current;
      if (k.busy || isReviewTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const key = e.key.toLowerCase();
      if (k.mode === 'view') {
        if (key === 'a') { e.preventDefault(); k.accept(); }
        else if (key === 'r') { e.preventDefault(); k.reject(); }
        else if (key === 'f') { e.preventDefault(); k.startFix(); }
      } else if (k.mode === 'fix') {
        if (key === 'b') k.setTool('brush');
        else if (key === 'e') k.setTool('eraser');
        else if (key === 'enter') { e.preventDefault(); k.saveFix(); }
        else if (key === 'escape') k.cancelFix();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

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
            <button type="button" disabled={busy} onClick={startFix}>Fix <kbd>F</kbd></button>
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
