// A video frame with one masklet's mask over it, and a frame scrubber that can show a marked span.
// Frames are fetched with the token (file_url needs it) and kept as bitmaps while the page lives.
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../core/api';
import { decode, type CompressedRle } from '../../core/rle';
import { MaskLayer, parseColor } from '../../canvas/maskLayer';
import type { FrameRecord } from '../../core/apiTypes';
import { frameBlob, videoFrames } from '../../core/videoApi';
import { useAsync } from '../useAsync';
import { FrameBitmaps } from '../video/FrameBitmaps';

/** The video's frames (all pages) and a cache of their pictures. */
/** A video's frames with their pictures, for the PLM and review pages. */
export type FrameCache = FrameBitmaps;

export function useFrames(api: ApiClient, videoId: number): { cache: FrameCache | null; error: string | null } {
  const frames = useAsync(async () => {
    const load = async (frame: FrameRecord) => createImageBitmap(await frameBlob(api, frame));
    return new FrameBitmaps(load, await videoFrames(api, videoId));
  }, [api, videoId]);
  return { cache: frames.loading ? null : frames.data, error: frames.error };
}

export function FrameView({ cache, frame, mask, color = '#ff7f0e', label }: {
  cache: FrameCache | null; frame: number; mask: CompressedRle | null; color?: string; label?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    let live = true;
    const canvas = ref.current;
    if (!canvas || !cache) return;
    const bitmap = cache.get(frame);
    setMissing(bitmap === null);
    if (!bitmap) {
      canvas.width = 0;
      canvas.height = 0;
      delete canvas.dataset.frame;
      return;
    }
    bitmap.then((image) => {
      if (!live) return;
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      if (mask) {
        // The annotators' mask look: fill in the object's colour, a white outline.
        const layer = new MaskLayer();
        layer.render([{ mask: decode(mask), color: parseColor(color), emphasis: true }]);
        const overlay = layer.canvas();
        if (overlay) context.drawImage(overlay, 0, 0, image.width, image.height);
      }
      canvas.dataset.frame = String(frame);
    }).catch(() => { if (live) setMissing(true); });
    return () => { live = false; };
  }, [cache, frame, mask, color]);
  return (
    <div className="plm-frame">
      <canvas ref={ref} className="plm-frame-canvas" data-testid="frame-canvas" aria-label={label ?? `frame ${frame}`} />
      {!cache && <p className="muted small">Loading frames…</p>}
      {missing && <p className="form-error">Frame {frame} is not extracted.</p>}
    </div>
  );
}

/** A range input over the frames; the span [start, end] (when given) is drawn under it. */
export function Scrubber({ frame, count, onChange, span, marks, fps }: {
  frame: number; count: number; onChange: (frame: number) => void; span?: [number, number] | null;
  marks?: number[]; fps: number;
}) {
  const last = Math.max(0, count - 1);
  const percent = (f: number) => (last > 0 ? Math.max(0, Math.min(100, (f / last) * 100)) : 0);
  return (
    <div className="plm-scrubber">
      <div className="plm-track">
        {span && (
          <div className="plm-span" data-testid="segment-span"
            style={{ left: `${percent(Math.min(...span))}%`, width: `${Math.max(0.5, percent(Math.max(...span)) - percent(Math.min(...span)))}%` }} />
        )}
        {(marks ?? []).map((m) => <div key={m} className="plm-mark" style={{ left: `${percent(m)}%` }} />)}
      </div>
      <input type="range" min={0} max={last} step={1} value={frame} aria-label="frame" data-testid="frame-scrubber"
        onChange={(e) => onChange(Number(e.target.value))} />
      <span className="small muted" data-testid="frame-label">
        Frame {frame} / {last} · {fps > 0 ? (frame / fps).toFixed(2) : '–'} s
      </span>
    </div>
  );
}
