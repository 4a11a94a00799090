// PLM region captions on one video: pick a masklet, caption it (rcap / rtloc over a frame span, rdcap
// as consecutive captioned segments) with its mask shown on the chosen frames, and the list so far.
import { useState } from 'react';
import { errorMessage } from '../../core/apiErrors';
import type { CaptionCreate, CaptionKind, MaskletInfo, RegionCaption } from '../../core/apiTypes';
import type { CompressedRle } from '../../core/rle';
import { objectColor } from '../../core/video';
import { useApp } from '../appContext';
import { useAsync } from '../useAsync';
import { FrameView, Scrubber, type FrameCache } from './FrameView';
import { captions as loadCaptions, createCaption } from './plmApi';
import type { VideoFacts } from './PlmPage';
import { chainSegments, denseErrors, splitLast, type DenseSegment } from './segments';

const KINDS: CaptionKind[] = ['rcap', 'rtloc', 'rdcap'];

function DenseSegments({ segments, last, frame, onChange }: {
  segments: DenseSegment[]; last: number; frame: number; onChange: (segments: DenseSegment[]) => void;
}) {
  const update = (i: number, change: Partial<DenseSegment>) =>
    onChange(chainSegments(segments.map((s, k) => (k === i ? { ...s, ...change } : s))));
  return (
    <div className="plm-segments" data-testid="dense-segments">
      {segments.map((s, i) => (
        <div key={i} className="plm-segment" data-testid="dense-segment">
          <span className="small">#{i + 1}: frames {s.start_frame} to</span>
          <input type="number" aria-label={`segment ${i + 1} end frame`} value={s.end_frame} min={s.start_frame} max={last}
            onChange={(e) => update(i, { end_frame: Number(e.target.value) })} />
          <input className="plm-segment-caption" aria-label={`segment ${i + 1} caption`} placeholder={`caption of frames ${s.start_frame}–${s.end_frame}`} value={s.caption}
            onChange={(e) => update(i, { caption: e.target.value })} />
          {segments.length > 1 && (
            <button type="button" className="link-button" onClick={() => onChange(chainSegments(segments.filter((_, k) => k !== i)))}>remove</button>
          )}
        </div>
      ))}
      <button type="button" onClick={() => onChange(splitLast(segments, frame))}>Split the last segment at frame {frame}</button>
    </div>
  );
}

/** The caption form and frame views for one masklet (remounted per masklet: it starts on its frames). */
function CaptionEditor({ video, cache, masklet, maskletList, objectMasks, onPick, onSaved }: {
  video: VideoFacts; cache: FrameCache | null; masklet: MaskletInfo | null; maskletList: MaskletInfo[];
  objectMasks: Map<number, CompressedRle> | undefined; onPick: (id: number) => void; onSaved: () => void;
}) {
  const { api } = useApp();
  const present = [...(objectMasks?.keys() ?? [])].sort((a, b) => a - b);
  const first = present[0] ?? 0;
  const lastPresent = present[present.length - 1] ?? 0;
  const [frame, setFrame] = useState(first);
  const [kind, setKind] = useState<CaptionKind>('rcap');
  const [start, setStart] = useState(first);
  const [end, setEnd] = useState(lastPresent);
  const [caption, setCaption] = useState('');
  const [segments, setSegments] = useState<DenseSegment[]>(present.length ? [{ start_frame: first, end_frame: lastPresent, caption: '' }] : []);
  const [errors, setErrors] = useState<string[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const color = masklet ? objectColor(masklet.object_id) : '#ff7f0e';
  const last = Math.max(0, video.frameCount - 1);
  // The frames the caption covers: rdcap's first start and last end, else the start / end fields.
  const shownStart = kind === 'rdcap' ? segments[0]?.start_frame ?? 0 : start;
  const shownEnd = kind === 'rdcap' ? segments[segments.length - 1]?.end_frame ?? 0 : end;

  const submit = async () => {
    setSaved(null);
    if (!masklet || masklet.id === undefined) { setErrors(['Pick a masklet.']); return; }
    let body: CaptionCreate;
    if (kind === 'rdcap') {
      const chained = chainSegments(segments);
      const problems = denseErrors(chained, video.frameCount);
      setErrors(problems);
      if (problems.length) return;
      body = { masklet: masklet.id, kind, start_frame: null, end_frame: null, caption: '', dense_captions: chained.map((s) => ({ ...s, caption: s.caption.trim() })) };
    } else {
      if (!caption.trim()) { setErrors(['Write the caption.']); return; }
      setErrors([]);
      body = { masklet: masklet.id, kind, start_frame: start, end_frame: end, caption: caption.trim(), dense_captions: [] };
    }
    setBusy(true);
    try {
      const created = await createCaption(api, video.id, body);
      setSaved(`Caption ${created.id} (${created.kind}) saved on object ${created.object_id}, frames ${created.start_frame}–${created.end_frame}.`);
      setCaption('');
      onSaved();
    } catch (e) {
      setErrors([`The server refused it: ${errorMessage(e)}`]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section className="plm-view">
        <FrameView cache={cache} frame={frame} mask={objectMasks?.get(frame) ?? null} color={color} />
        <Scrubber frame={frame} count={video.frameCount} onChange={setFrame} marks={present} fps={video.annotation_fps}
          span={[shownStart, shownEnd]} />
        <div className="plm-ends">
          <figure>
            <FrameView cache={cache} frame={shownStart} mask={objectMasks?.get(shownStart) ?? null} color={color} label={`start frame ${shownStart}`} />
            <figcaption className="small">Start: frame {shownStart}</figcaption>
          </figure>
          <figure>
            <FrameView cache={cache} frame={shownEnd} mask={objectMasks?.get(shownEnd) ?? null} color={color} label={`end frame ${shownEnd}`} />
            <figcaption className="small">End: frame {shownEnd}</figcaption>
          </figure>
        </div>
      </section>
      <section className="plm-form form">
        <h2 className="section-title">New region caption</h2>
        <label>Masklet
          <select name="masklet" value={masklet?.id ?? ''} onChange={(e) => onPick(Number(e.target.value))}>
            {maskletList.filter((m) => m.id !== undefined).map((m) => (
              <option key={m.id} value={m.id}>Object {m.object_id} (masklet {m.id}, {m.status})</option>
            ))}
          </select>
        </label>
        {maskletList.length === 0 && <p className="muted small">This video has no masklets yet: annotate it first.</p>}
        <fieldset className="plm-kinds">
          <legend className="small">Kind</legend>
          {KINDS.map((k) => (
            <label key={k} className="inline">
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} /> {k}
            </label>
          ))}
        </fieldset>
        {kind !== 'rdcap' ? (
          <>
            <div className="row">
              <label>Start frame<input type="number" name="start_frame" value={start} onChange={(e) => setStart(Number(e.target.value))} /></label>
              <label>End frame<input type="number" name="end_frame" value={end} onChange={(e) => setEnd(Number(e.target.value))} /></label>
            </div>
            <div className="actions">
              <button type="button" onClick={() => setStart(frame)}>Start = frame {frame}</button>
              <button type="button" onClick={() => setEnd(frame)}>End = frame {frame}</button>
            </div>
            <label>Caption<textarea name="caption" rows={3} value={caption} onChange={(e) => setCaption(e.target.value)} /></label>
          </>
        ) : <DenseSegments segments={segments} last={last} frame={frame} onChange={setSegments} />}
        {errors.length > 0 && (
          <div className="form-error" role="alert" data-testid="caption-error">{errors.map((e) => <div key={e}>{e}</div>)}</div>
        )}
        {saved && <p className="notice notice-ok" role="status">{saved}</p>}
        <button type="button" className="primary" disabled={busy} onClick={submit}>Save caption</button>
      </section>
    </>
  );
}

export function CaptionsPanel({ video, cache, maskletList, masks }: {
  video: VideoFacts; cache: FrameCache | null; maskletList: MaskletInfo[]; masks: Map<number, Map<number, CompressedRle>>;
}) {
  const { api } = useApp();
  const [picked, setPicked] = useState<number | null>(null);
  const maskletId = picked ?? maskletList.find((m) => m.id !== undefined)?.id ?? null;
  const masklet = maskletList.find((m) => m.id === maskletId) ?? null;
  const list = useAsync(() => loadCaptions(api, video.id), [api, video.id]);

  return (
    <div className="plm-columns">
      <CaptionEditor
        key={maskletId ?? 'none'} video={video} cache={cache} masklet={masklet} maskletList={maskletList}
        objectMasks={masklet ? masks.get(masklet.object_id) : undefined} onPick={setPicked} onSaved={list.reload}
      />
      <section className="plm-list">
        <h2 className="section-title">Region captions ({list.data?.length ?? 0})</h2>
        {list.error && <p className="form-error">{list.error}</p>}
        <table className="table small" data-testid="caption-list">
          <thead><tr><th>Object</th><th>Kind</th><th>Frames</th><th>Caption</th></tr></thead>
          <tbody>
            {(list.data ?? []).map((c: RegionCaption) => (
              <tr key={c.id} data-testid="caption-row">
                <td>{c.object_id}</td><td>{c.kind}</td><td>{c.start_frame}–{c.end_frame}</td>
                <td>{c.kind === 'rdcap' ? c.dense_captions.map((s) => `[${s.start_frame}–${s.end_frame}] ${s.caption}`).join(' ') : c.caption}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
