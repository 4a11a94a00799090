// The candidates of a multimask answer side by side, cropped around them, chosen with 1 / 2 / 3.
import { useEffect, useMemo, useRef } from 'react';
import type { Candidate } from '../../core/apiTypes';
import { decode, rleBbox, type BinaryMask } from '../../core/rle';
import { parseColor, renderThumbnail } from '../../canvas/maskLayer';

interface Props {
  bitmap: ImageBitmap; width: number; height: number; candidates: Candidate[]; chosen: number; color: string;
  onChoose: (index: number) => void;
}

/** One crop for all candidates (their union bbox plus a margin), so they compare at the same scale. */
function unionCrop(candidates: Candidate[], width: number, height: number): [number, number, number, number] {
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (const c of candidates) {
    const [x, y, w, h] = rleBbox(c.rle);
    if (w === 0) continue;
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + w); y1 = Math.max(y1, y + h);
  }
  if (x1 <= x0) return [0, 0, width, height];
  const margin = Math.max(16, 0.25 * Math.max(x1 - x0, y1 - y0));
  const cx0 = Math.max(0, Math.floor(x0 - margin)), cy0 = Math.max(0, Math.floor(y0 - margin));
  const cx1 = Math.min(width, Math.ceil(x1 + margin)), cy1 = Math.min(height, Math.ceil(y1 + margin));
  return [cx0, cy0, cx1 - cx0, cy1 - cy0];
}

function Thumbnail({ bitmap, width, height, mask, color, crop }: {
  bitmap: ImageBitmap; width: number; height: number; mask: BinaryMask; color: string; crop: [number, number, number, number];
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) renderThumbnail(bitmap, width, height, mask, parseColor(color), ref.current, crop);
  }, [bitmap, width, height, mask, color, crop]);
  return <canvas ref={ref} width={180} height={135} className="thumbnail" />;
}

export function CandidateStrip({ bitmap, width, height, candidates, chosen, color, onChoose }: Props) {
  const decoded = useMemo(() => candidates.map((c) => decode(c.rle)), [candidates]);
  const crop = useMemo(() => unionCrop(candidates, width, height), [candidates, width, height]);
  if (!candidates.length) return null;
  return (
    <div className="candidates" data-testid="candidates">
      {candidates.map((candidate, i) => (
        <button
          key={i} type="button" className={i === chosen ? 'candidate chosen' : 'candidate'}
          onClick={() => onChoose(i)} aria-pressed={i === chosen} data-testid={`candidate-${i + 1}`}
          title={`Candidate ${i + 1} (key ${i + 1})`}
        >
          <Thumbnail bitmap={bitmap} width={width} height={height} mask={decoded[i]} color={color} crop={crop} />
          <span className="candidate-label"><kbd>{i + 1}</kbd> score {candidate.score.toFixed(2)}</span>
        </button>
      ))}
    </div>
  );
}
