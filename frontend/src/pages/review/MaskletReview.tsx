// One submitted masklet under review, judged as a whole: its frames with the mask over them on a
// scrubber (← / → step), accept (A) or reject with a reason (R or X). Fixing happens in the video page.
import { useMemo, useState } from 'react';
import type { Category, MaskletRecord, VideoRecord } from '../../core/apiTypes';
import type { Command } from '../../core/keymap';
import type { CompressedRle } from '../../core/rle';
import { masklets as loadMasklets, video as loadVideo } from '../../core/videoApi';
import { HelpOverlay } from '../annotate/HelpOverlay';
import { useAnnotatorKeys } from '../annotate/useAnnotatorKeys';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { FrameView, Scrubber, useFrames } from '../plm/FrameView';
import { useAsync } from '../useAsync';
import type { Decision } from './queue';
import { RejectBox } from './RejectBox';

export function MaskletReview({ masklet, busy, onDecide, categories = [] }: {
  masklet: MaskletRecord; busy: boolean; categories?: Category[]; onDecide: (decision: Decision, extra: { reason?: string }) => void;
}) {
  const { api } = useApp();
  const [chosenFrame, setFrame] = useState<number | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const { cache, error: framesError } = useFrames(api, masklet.video);
  const video = useAsync<VideoRecord>(() => loadVideo(api, masklet.video), [api, masklet.video]);
  const rows = useAsync(() => loadMasklets(api, masklet.video), [api, masklet.video]);
  const masks = useMemo(() => {
    const byFrame = new Map<number, CompressedRle>();
    for (const row of rows.data?.frames ?? []) if (row.object_id === masklet.object_id && row.area > 0) byFrame.set(row.frame, row.rle);
    return byFrame;
  }, [rows.data, masklet.object_id]);
  const present = useMemo(() => [...masks.keys()].sort((a, b) => a - b), [masks]);
  // The first frame the object is on until the reviewer moves.
  const frame = chosenFrame ?? present[0] ?? 0;
  const count = cache?.count ?? video.data?.annotation_frame_count ?? 0;

  function run(command: Command): boolean | void {
    if (busy || rejecting) return false;
    switch (command) {
      case 'acceptProposal': return onDecide('accept', {});
      case 'rejectProposal': return setRejecting(true);
      case 'nextFrame': return setFrame(Math.min(count - 1, frame + 1));
      case 'previousFrame': return setFrame(Math.max(0, frame - 1));
      default: return false;
    }
  }
  const { helpOpen, setHelpOpen } = useAnnotatorKeys('review', { run, home: () => null });

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
          <dt>Category</dt><dd data-testid="review-category">{categories.find((c) => c.id === masklet.category)?.name ?? 'none'}</dd>
          <dt>Annotator</dt><dd data-testid="review-annotator">{masklet.annotator ?? 'the model'}</dd>
          <dt>Frames</dt><dd>{masklet.frames.visible} visible of {masklet.frames.count} ({masklet.frames.edited} edited)</dd>
        </dl>
        {(framesError || rows.error || video.error) && <p className="form-error">{framesError ?? rows.error ?? video.error}</p>}
        <p className="small muted">A masklet is judged as a whole; fix it in the video page.</p>
        {!rejecting ? (
          <div className="review-buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => onDecide('accept', {})}>Accept <kbd>A</kbd></button>
            <button type="button" className="danger" disabled={busy} onClick={() => setRejecting(true)}>Reject <kbd>R</kbd></button>
            <button type="button" className="link-button small" onClick={() => setHelpOpen(true)}>? every key</button>
          </div>
        ) : (
          <RejectBox busy={busy} onCancel={() => setRejecting(false)} onSend={(reason) => onDecide('reject', { reason })} />
        )}
      </aside>
      {helpOpen && <HelpOverlay page="review" onClose={() => setHelpOpen(false)} />}
    </div>
  );
}
