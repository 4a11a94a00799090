// PLM records of one video: fine-grained QA pairs on a time segment, and region captions on a masklet
// (rcap, rtloc, or rdcap's consecutive captioned segments). Frames come from the extracted frames.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../core/api';
import { objectColor, type MaskletInfo } from '../../core/video';
import type { CompressedRle } from '../../core/rle';
import { masklets as loadMasklets, video as loadVideo } from '../../core/videoApi';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import { FrameView, Scrubber, useFrames, type FrameCache } from './FrameView';
import {
  auditQuestion, captions as loadCaptions, createCaption, createQuestion, projectTaxonomy, questions as loadQuestions,
  type CaptionKind, type ProjectTaxonomy, type RegionCaption, type VideoQuestion,
} from './plmApi';
import {
  chainSegments, denseErrors, segmentError, segmentTimes, splitLast, taxonomySubtypes, taxonomyTypes, type DenseSegment,
} from './segments';
import './plm.css';

export type PlmTab = 'qa' | 'captions';

function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  return String((error as Error)?.message ?? error);
}

interface VideoFacts { id: number; project: number; fps: number; annotation_fps: number; duration: number; frameCount: number; name: string }

// --- QA pairs

function QuestionsPanel({ video, cache, project }: { video: VideoFacts; cache: FrameCache | null; project: ProjectTaxonomy | null }) {
  const { api, user } = useApp();
  const [frame, setFrame] = useState(0);
  const [start, setStart] = useState<number | null>(null);
  const [end, setEnd] = useState<number | null>(null);
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const taxonomy = project?.qa_taxonomy ?? {};
  const types = taxonomyTypes(taxonomy);
  const [qType, setQType] = useState('');
  const [qSubtype, setQSubtype] = useState('');
  const [what, setWhat] = useState('');
  const [domain, setDomain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = useAsync(() => loadQuestions(api, video.id), [api, video.id]);
  const canAudit = project?.role === 'reviewer' || project?.role === 'manager' || !!user?.is_staff;
  const subtypes = taxonomySubtypes(taxonomy, qType);

  useEffect(() => { if (types.length && !types.includes(qType)) setQType(types[0]); }, [types.join('|')]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { if (subtypes.length && !subtypes.includes(qSubtype)) setQSubtype(subtypes[0]); }, [qType, subtypes.join('|')]); // eslint-disable-line react-hooks/exhaustive-deps

  const times = start !== null && end !== null ? segmentTimes(start, end, video.annotation_fps, video.duration) : null;
  const submit = async () => {
    setSaved(null);
    const problem = !times ? 'Mark the segment: "Start here" and "End here" on the scrubber.'
      : segmentError(times.start_time, times.end_time, video.duration)
        ?? (!question.trim() || !answer.trim() ? 'Write both the question and the answer.' : null)
        ?? (!qType.trim() ? 'Pick (or write) the question type.' : null);
    setError(problem);
    if (problem || !times) return;
    setBusy(true);
    try {
      const created = await createQuestion(api, video.id, {
        ...times, question: question.trim(), answer: answer.trim(), q_type: qType.trim(), q_subtype: qSubtype.trim(),
        what_description: what.trim(), domain: domain.trim(),
      });
      setSaved(`Question ${created.id} saved (${created.start_time.toFixed(2)}–${created.end_time.toFixed(2)} s).`);
      setQuestion('');
      setAnswer('');
      list.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const audit = async (q: VideoQuestion) => {
    try {
      await auditQuestion(api, q.id);
      list.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (el && ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) && (el as HTMLInputElement).type !== 'range') return;
      if (e.key === 'i') setStart(frame);
      else if (e.key === 'o') setEnd(frame);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [frame]);

  const span: [number, number] | null = start !== null ? [start, end ?? start] : null;
  return (
    <div className="plm-columns">
      <section className="plm-view">
        <FrameView cache={cache} frame={frame} mask={null} />
        <Scrubber frame={frame} count={video.frameCount} onChange={setFrame} span={span} fps={video.annotation_fps} />
        <div className="actions">
          <button type="button" onClick={() => setStart(frame)} data-testid="mark-start">Start here <kbd>I</kbd></button>
          <button type="button" onClick={() => setEnd(frame)} data-testid="mark-end">End here <kbd>O</kbd></button>
          <span className="small" data-testid="segment-times">
            {times ? `Segment: frames ${Math.min(start!, end!)}–${Math.max(start!, end!)} = ${times.start_time.toFixed(2)}–${times.end_time.toFixed(2)} s`
              : `Segment: ${start !== null ? `starts at frame ${start}` : 'not marked'}`}
            {` · video ${video.duration.toFixed(2)} s`}
          </span>
        </div>
      </section>
      <section className="plm-form form">
        <h2 className="section-title">New question</h2>
        <label>Question<textarea name="question" rows={2} value={question} onChange={(e) => setQuestion(e.target.value)} /></label>
        <label>Answer<textarea name="answer" rows={2} value={answer} onChange={(e) => setAnswer(e.target.value)} /></label>
        <div className="row">
          <label>Type
            {types.length ? (
              <select name="q_type" value={qType} onChange={(e) => setQType(e.target.value)}>
                {types.map((t) => <option key={t} value={t}>{t}</option>)}
              </select>
            ) : <input name="q_type" value={qType} onChange={(e) => setQType(e.target.value)} placeholder="free text" />}
          </label>
          <label>Subtype
            {subtypes.length ? (
              <select name="q_subtype" value={qSubtype} onChange={(e) => setQSubtype(e.target.value)}>
                {subtypes.map((t) => <option key={t} value={t}>{t}</option>)}
              </select>
            ) : <input name="q_subtype" value={qSubtype} onChange={(e) => setQSubtype(e.target.value)} placeholder="free text" />}
          </label>
        </div>
        <label>What it is about<input name="what_description" value={what} onChange={(e) => setWhat(e.target.value)} /></label>
        <label>Domain<input name="domain" value={domain} onChange={(e) => setDomain(e.target.value)} /></label>
        {error && <p className="form-error" role="alert" data-testid="qa-error">{error}</p>}
        {saved && <p className="notice notice-ok" role="status">{saved}</p>}
        <button type="button" className="primary" disabled={busy} onClick={submit}>Save question</button>
      </section>
      <section className="plm-list">
        <h2 className="section-title">Questions ({list.data?.length ?? 0})</h2>
        {list.error && <p className="form-error">{list.error}</p>}
        <table className="table small" data-testid="question-list">
          <thead><tr><th>Segment</th><th>Question / answer</th><th>Type</th><th>Audit</th></tr></thead>
          <tbody>
            {(list.data ?? []).map((q) => (
              <tr key={q.id} data-testid="question-row">
                <td>{q.start_time.toFixed(2)}–{q.end_time.toFixed(2)} s</td>
                <td><strong>{q.question}</strong><br />{q.answer}</td>
                <td>{q.q_type}{q.q_subtype ? ` / ${q.q_subtype}` : ''}</td>
                <td>
                  {q.is_audited ? <span className="badge">audited</span>
                    : canAudit ? <button type="button" onClick={() => audit(q)}>Audit</button> : <span className="muted">not audited</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

// --- region captions

function CaptionsPanel({ video, cache, maskletList, masks }: {
  video: VideoFacts; cache: FrameCache | null; maskletList: MaskletInfo[]; masks: Map<number, Map<number, CompressedRle>>;
}) {
  const { api } = useApp();
  const [maskletId, setMaskletId] = useState<number | null>(null);
  const masklet = maskletList.find((m) => m.id === maskletId) ?? null;
  const [frame, setFrame] = useState(0);
  const [kind, setKind] = useState<CaptionKind>('rcap');
  const [start, setStart] = useState(0);
  const [end, setEnd] = useState(0);
  const [caption, setCaption] = useState('');
  const [segments, setSegments] = useState<DenseSegment[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = useAsync(() => loadCaptions(api, video.id), [api, video.id]);
  const objectMasks = masklet ? masks.get(masklet.object_id) : undefined;
  const present = useMemo(() => [...(objectMasks?.keys() ?? [])].sort((a, b) => a - b), [objectMasks]);
  const color = masklet ? objectColor(masklet.object_id) : '#ff7f0e';
  const last = Math.max(0, video.frameCount - 1);
  // The frames the caption covers: rdcap's first start and last end, else the start / end fields.
  const shownStart = kind === 'rdcap' ? segments[0]?.start_frame ?? 0 : start;
  const shownEnd = kind === 'rdcap' ? segments[segments.length - 1]?.end_frame ?? 0 : end;

  useEffect(() => {
    if (maskletId === null && maskletList.length && maskletList[0].id !== undefined) setMaskletId(maskletList[0].id);
  }, [maskletList, maskletId]);
  useEffect(() => {
    if (!present.length) return;
    setFrame(present[0]);
    setStart(present[0]);
    setEnd(present[present.length - 1]);
    setSegments([{ start_frame: present[0], end_frame: present[present.length - 1], caption: '' }]);
  }, [present]);

  const submit = async () => {
    setSaved(null);
    if (!masklet || masklet.id === undefined) { setErrors(['Pick a masklet.']); return; }
    let body;
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
      list.reload();
    } catch (e) {
      setErrors([`The server refused it: ${errorText(e)}`]);
    } finally {
      setBusy(false);
    }
  };

  const updateSegment = (i: number, change: Partial<DenseSegment>) =>
    setSegments((all) => chainSegments(all.map((s, k) => (k === i ? { ...s, ...change } : s))));

  return (
    <div className="plm-columns">
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
          <select name="masklet" value={maskletId ?? ''} onChange={(e) => setMaskletId(Number(e.target.value))}>
            {maskletList.filter((m) => m.id !== undefined).map((m) => (
              <option key={m.id} value={m.id}>Object {m.object_id} (masklet {m.id}, {m.status})</option>
            ))}
          </select>
        </label>
        {maskletList.length === 0 && <p className="muted small">This video has no masklets yet: annotate it first.</p>}
        <fieldset className="plm-kinds">
          <legend className="small">Kind</legend>
          {(['rcap', 'rtloc', 'rdcap'] as CaptionKind[]).map((k) => (
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
        ) : (
          <div className="plm-segments" data-testid="dense-segments">
            {segments.map((s, i) => (
              <div key={i} className="plm-segment" data-testid="dense-segment">
                <span className="small">#{i + 1}: frames {s.start_frame} to</span>
                <input type="number" aria-label={`segment ${i + 1} end frame`} value={s.end_frame} min={s.start_frame} max={last}
                  onChange={(e) => updateSegment(i, { end_frame: Number(e.target.value) })} />
                <input className="plm-segment-caption" aria-label={`segment ${i + 1} caption`} placeholder={`caption of frames ${s.start_frame}–${s.end_frame}`} value={s.caption}
                  onChange={(e) => updateSegment(i, { caption: e.target.value })} />
                {segments.length > 1 && (
                  <button type="button" className="link-button" onClick={() => setSegments((all) => chainSegments(all.filter((_, k) => k !== i)))}>remove</button>
                )}
              </div>
            ))}
            <button type="button" onClick={() => setSegments((all) => splitLast(all, frame))}>Split the last segment at frame {frame}</button>
          </div>
        )}
        {errors.length > 0 && (
          <div className="form-error" role="alert" data-testid="caption-error">{errors.map((e) => <div key={e}>{e}</div>)}</div>
        )}
        {saved && <p className="notice notice-ok" role="status">{saved}</p>}
        <button type="button" className="primary" disabled={busy} onClick={submit}>Save caption</button>
      </section>
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

// --- the page

export function PlmPage({ videoId, tab = 'qa' }: { videoId: number; tab?: PlmTab }) {
  const { api, navigate } = useApp();
  const record = useAsync(() => loadVideo(api, videoId), [api, videoId]);
  const projectId = record.data?.project;
  const project = useAsync(() => (projectId ? projectTaxonomy(api, projectId) : Promise.resolve(null)), [api, projectId]);
  const { cache, error: framesError } = useFrames(api, videoId);
  const maskletAnswer = useAsync(() => loadMasklets(api, videoId), [api, videoId]);
  const masks = useMemo(() => {
    const byObject = new Map<number, Map<number, CompressedRle>>();
    for (const row of maskletAnswer.data?.frames ?? []) {
      if (row.area <= 0) continue;
      if (!byObject.has(row.object_id)) byObject.set(row.object_id, new Map());
      byObject.get(row.object_id)!.set(row.frame, row.rle);
    }
    return byObject;
  }, [maskletAnswer.data]);
  const facts: VideoFacts | null = useMemo(() => {
    const v = record.data;
    if (!v) return null;
    const frameCount = cache?.frames.length || v.annotation_frame_count;
    return { id: v.id, project: v.project, fps: v.fps, annotation_fps: v.annotation_fps, duration: v.duration ?? v.frame_count / v.fps, frameCount, name: v.file_name };
  }, [record.data, cache]);
  const go = useCallback((next: PlmTab) => navigate({ page: 'plm', videoId, tab: next }, true), [navigate, videoId]);

  return (
    <main className="page plm-page" data-testid="plm-page">
      <nav className="breadcrumbs">
        <Link to={{ page: 'projects' }}>Projects</Link>
        {projectId && <> / <Link to={{ page: 'videos', projectId }}>Videos</Link></>}
        {' / '}<Link to={{ page: 'video', videoId }}>{record.data?.file_name || `video ${videoId}`}</Link> / PLM
      </nav>
      <div className="page-head">
        <h1>PLM records</h1>
        <div className="review-kinds">
          <button type="button" className={tab === 'qa' ? 'tool active' : 'tool'} aria-pressed={tab === 'qa'} onClick={() => go('qa')}>Questions</button>
          <button type="button" className={tab === 'captions' ? 'tool active' : 'tool'} aria-pressed={tab === 'captions'} onClick={() => go('captions')}>Region captions</button>
        </div>
      </div>
      {(record.error || framesError) && <p className="form-error" role="alert">{record.error ?? framesError}</p>}
      {facts && cache && cache.frames.length === 0 && (
        <p className="banner banner-warning">The frames of this video are not extracted yet; come back when they are.</p>
      )}
      {facts && tab === 'qa' && <QuestionsPanel video={facts} cache={cache} project={project.data} />}
      {facts && tab === 'captions' && (
        <CaptionsPanel video={facts} cache={cache} maskletList={maskletAnswer.data?.masklets ?? []} masks={masks} />
      )}
    </main>
  );
}
