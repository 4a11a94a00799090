// A video frame with one masklet's mask over it, and a frame scrubber that can show a marked span.
// Frames are fetched with the token (file_url needs it) and kept as bitmaps while the page lives.
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../core/api';
import { decode, type CompressedRle } from '../../core/rle';
import type { FrameRecord } from '../../core/apiTypes';
import { frameBlob, videoFrames } from '../../core/videoApi';
import { useAsync } from '../useAsync';

export class FrameCache {
  private readonly bitmaps = new Map<number, Promise<ImageBitmap>>();
  constructor(private readonly api: ApiClient, readonly frames: FrameRecord[]) {}
  get(index: number): Promise<ImageBitmap> | null {
    const frame = this.frames.find((f) => f.index === index);
    if (!frame) return null;
    let bitmap = this.bitmaps.get(index);
    if (!bitmap) {
      bitmap = frameBlob(this.api, frame).then((blob) => createImageBitmap(blob));
      this.bitmaps.set(index, bitmap);
      bitmap.catch(() => this.bitmaps.delete(index));
    }
    return bitmap;
  }
}

/** The video's frames (all pages) and a cache of their pictures. */
export function useFrames(api: ApiClient, videoId: number): { cache: FrameCache | null; error: string | null } {
  const frames = useAsync(async () => new FrameCache(api, await videoFrames(api, videoId)), [api, videoId]);
  return { cache: frames.loading ? null : frames.data, error: frames.error };
}

function hexRgb(color: string): [number, number, number] {
  const hex = color.replace('#', '');
  return [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16)];
}

function maskCanvas(rle: CompressedRle, color: string): HTMLCanvasElement {
  const mask = decode(rle);
  const canvas = document.createElement('canvas');
  canvas.width = mask.width;
  canvas.height = mask.height;
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(mask.width, mask.height);
  const [r, g, b] = hexRgb(color);
  const { data, width, height } = mask;
  for (let i = 0; i < data.length; i++) {
    if (!data[i]) continue;
    const x = i % width;
    const y = (i / width) | 0;
    const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1
      || !data[i - 1] || !data[i + 1] || !data[i - width] || !data[i + width];
    const o = i * 4;
    pixels.data[o] = edge ? 255 : r;
    pixels.data[o + 1] = edge ? 255 : g;
    pixels.data[o + 2] = edge ? 255 : b;
    pixels.data[o + 3] = edge ? 255 : 120;
  }
  context.putImageData(pixels, 0, 0);
  return canvas;
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
      if (mask) context.drawImage(maskCanvas(mask, color), 0, 0, image.width, image.height);
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
