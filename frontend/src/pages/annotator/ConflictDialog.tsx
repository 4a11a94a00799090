// A 409: someone changed the mask since we loaded it. Show both and let the annotator decide.
import { useEffect, useMemo, useRef } from 'react';
import type { Category } from '../../core/apiTypes';
import { decode, rleArea } from '../../core/rle';
import { parseColor, renderThumbnail } from '../../canvas/maskLayer';
import type { Conflict } from './AnnotatorController';

interface Props {
  conflict: Conflict; bitmap: ImageBitmap | null; categories: Category[];
  onKeepMine: () => void; onTakeTheirs: () => void; onCancel: () => void;
}

function Preview({ bitmap, rle, color }: { bitmap: ImageBitmap | null; rle: Conflict['theirs']['rle'] | null; color: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const mask = useMemo(() => (rle ? decode(rle) : null), [rle]);
  useEffect(() => {
    if (ref.current && bitmap && mask) renderThumbnail(bitmap, mask.width, mask.height, mask, parseColor(color), ref.current);
  }, [bitmap, mask, color]);
  return <canvas ref={ref} width={320} height={240} className="thumbnail" />;
}

export function ConflictDialog({ conflict, bitmap, categories, onKeepMine, onTakeTheirs, onCancel }: Props) {
  const name = (id: number | null) => categories.find((c) => c.id === id)?.name ?? 'no category';
  const color = (id: number | null) => categories.find((c) => c.id === id)?.color ?? '#1e90ff';
  const { mine, theirs, action } = conflict;
  return (
    <div className="modal-backdrop">
      <div className="modal conflict" role="dialog" aria-modal="true" aria-label="Edit conflict" data-testid="conflict">
        <h2>This mask was changed by someone else</h2>
        <p>
          {action === 'delete' && `Mask #${theirs.id} is now at version ${theirs.version}. Delete it anyway, or keep their version?`}
          {action === 'save' && `Mask #${theirs.id} is now at version ${theirs.version}. Nothing was overwritten; choose which version to keep.`}
          {(action === 'accept' || action === 'reject')
            && `Proposal #${theirs.id} was edited meanwhile (now version ${theirs.version}). ${action === 'accept' ? 'Accept' : 'Reject'} their version, or look at it first?`}
        </p>
        <div className="conflict-columns">
          <figure>
            <figcaption>{action === 'save' || action === 'delete' ? 'Yours' : 'As you saw it'}{action === 'delete' ? ' (delete)' : ''}: {name(mine.category)}, {mine.rle ? rleArea(mine.rle) : 0}px</figcaption>
            <Preview bitmap={bitmap} rle={action === 'delete' ? null : mine.rle} color={color(mine.category)} />
          </figure>
          <figure>
            <figcaption>Theirs (v{theirs.version}, {theirs.updated_at ? new Date(theirs.updated_at).toLocaleString() : ''}): {name(theirs.category)}, {theirs.area}px</figcaption>
            <Preview bitmap={bitmap} rle={theirs.rle} color={color(theirs.category)} />
          </figure>
        </div>
        <div className="row">
          <button type="button" className="primary" onClick={onKeepMine} data-testid="keep-mine">
            {{ delete: 'Delete anyway', save: 'Keep mine', accept: 'Accept theirs', reject: 'Reject theirs' }[action]}
          </button>
          <button type="button" onClick={onTakeTheirs} data-testid="take-theirs">Take theirs</button>
          <button type="button" className="link-button" onClick={onCancel}>Decide later</button>
        </div>
      </div>
    </div>
  );
}
