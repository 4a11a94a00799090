// Per-object presence timeline: a row per object, a cell per frame (squeezed into pixel columns for
// long videos), filled where the mask is non-empty, a dark mark where a person made the mask, a thin
// line where the tracker found nothing. Click or drag on a row to seek (and select the object).
import { useEffect, useMemo, useRef } from 'react';
import type { Category } from '../../core/apiTypes';
import {
  bucketCells, CELL_EDITED, CELL_PRESENT, CELL_TRACKED, cellRuns, frameAt, objectColor, type MaskletStore,
  type VideoObject,
} from '../../core/video';

interface Props {
  store: MaskletStore; version: number; objects: VideoObject[]; frameCount: number; frame: number;
  selectedObj: number | null; categories: Category[];
  onSeek: (frame: number, objId: number | null) => void;
}

const ROW_HEIGHT = 16;

function TimelineRow({ cells, color, frameCount, onSeek }: {
  cells: Uint8Array; color: string; frameCount: number; onSeek: (frame: number) => void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const draw = () => {
      const ratio = window.devicePixelRatio || 1;
      const cssWidth = canvas.clientWidth || 1;
      canvas.width = Math.max(1, Math.round(cssWidth * ratio));
      canvas.height = Math.round(ROW_HEIGHT * ratio);
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const columns = Math.min(cells.length, canvas.width);
      const shaped = columns === cells.length ? cells : bucketCells(cells, columns);
      const w = canvas.width / Math.max(1, shaped.length);
      const h = canvas.height;
      ctx.clearRect(0, 0, canvas.width, h);
      for (let i = 0; i < shaped.length; i++) {
        const cell = shaped[i];
        const x0 = Math.floor(i * w);
        const x1 = Math.floor((i + 1) * w);
        const gap = w >= 6 * ratio ? ratio : 0;
        if (cell & CELL_PRESENT) {
          ctx.fillStyle = color;
          ctx.fillRect(x0, 2 * ratio, Math.max(1, x1 - x0 - gap), h - 4 * ratio);
        } else if (cell & CELL_TRACKED) {
          ctx.fillStyle = 'rgba(120, 130, 140, 0.6)';
          ctx.fillRect(x0, h / 2 - ratio / 2, Math.max(1, x1 - x0 - gap), ratio);
        }
        if (cell & CELL_EDITED) {
          // A person's frame: a dark diamond on the cell.
          const cx = (x0 + x1 - gap) / 2;
          const r = Math.min(h / 2 - ratio, Math.max(2 * ratio, (x1 - x0) / 2.5));
          ctx.beginPath();
          ctx.moveTo(cx, h / 2 - r);
          ctx.lineTo(cx + r, h / 2);
          ctx.lineTo(cx, h / 2 + r);
          ctx.lineTo(cx - r, h / 2);
          ctx.closePath();
          ctx.fillStyle = '#111';
          ctx.fill();
          ctx.strokeStyle = '#fff';
          ctx.lineWidth = ratio;
          ctx.stroke();
        }
      }
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [cells, color]);

  const seekFrom = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    onSeek(frameAt(e.clientX - rect.left, rect.width, frameCount));
  };
  return (
    <canvas
      ref={canvasRef} className="timeline-cells" height={ROW_HEIGHT}
      onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); seekFrom(e); }}
      onPointerMove={(e) => { if (e.buttons & 1) seekFrom(e); }}
    />
  );
}

export function Timeline({ store, version, objects, frameCount, frame, selectedObj, categories, onSeek }: Props) {
  // The store is mutable: `version` says when its cells must be read again.
  const rows = useMemo(
    () => new Map(objects.map((o) => [o.objId, store.cells(o.objId, frameCount)])),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store, version, objects, frameCount],
  );
  const playhead = frameCount > 0 ? `${((frame + 0.5) / frameCount) * 100}%` : '0';
  return (
    <div className="timeline" data-testid="timeline">
      {objects.length === 0 && <p className="muted small timeline-empty">No objects yet: click an object on the frame (or press N) to start one.</p>}
      {objects.map((object) => {
        const cells = rows.get(object.objId) ?? new Uint8Array(frameCount);
        const present = cellRuns(cells, CELL_PRESENT);
        const edited = cellRuns(cells, CELL_EDITED);
        const tracked = cellRuns(cells, CELL_TRACKED);
        const category = categories.find((c) => c.id === object.category)?.name;
        return (
          <div
            key={object.objId} className={`timeline-row${object.objId === selectedObj ? ' selected' : ''}`}
            data-testid={`timeline-row-${object.objId}`} data-present={present} data-edited={edited} data-tracked={tracked}
            title={`object ${object.objId}: visible on frames ${present || 'none'}${edited ? `; made by a person on ${edited}` : ''}`}
          >
            <button type="button" className="timeline-label" onClick={() => onSeek(frame, object.objId)}>
              <span className="swatch" style={{ background: objectColor(object.objId) }} />
              #{object.objId} {category ?? ''}
            </button>
            <div className="timeline-track">
              <TimelineRow cells={cells} color={objectColor(object.objId)} frameCount={frameCount} onSeek={(f) => onSeek(f, object.objId)} />
              <div className="timeline-playhead" style={{ left: playhead }} />
            </div>
          </div>
        );
      })}
    </div>
  );
}
