// PLM fine-grained QA on one video: mark a segment on the frame scrubber (I / O), write the question
// and answer with their type from the project's taxonomy, and audit pairs (reviewers, managers).
import { useEffect, useState } from 'react';
import { errorMessage } from '../../core/apiErrors';
import type { Project, VideoQuestion } from '../../core/apiTypes';
import { isTextField } from '../../core/keymap';
import { useApp } from '../appContext';
import { useAsync } from '../useAsync';
import { FrameView, Scrubber, type FrameCache } from './FrameView';
import { auditQuestion, createQuestion, questions as loadQuestions } from './plmApi';
import { segmentError, segmentTimes, taxonomySubtypes, taxonomyTypes } from './segments';
import type { VideoFacts } from './PlmPage';

/** A taxonomy's first entry when `value` is not one of its entries; free text when it has none. */
function chosenFrom(options: string[], value: string): string {
  return options.length && !options.includes(value) ? options[0] : value;
}

export function QuestionsPanel({ video, cache, project }: { video: VideoFacts; cache: FrameCache | null; project: Project | null }) {
  const { api, user } = useApp();
  const [frame, setFrame] = useState(0);
  const [start, setStart] = useState<number | null>(null);
  const [end, setEnd] = useState<number | null>(null);
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const taxonomy = project?.qa_taxonomy ?? {};
  const types = taxonomyTypes(taxonomy);
  const [typeInput, setQType] = useState('');
  const [subtypeInput, setQSubtype] = useState('');
  const qType = chosenFrom(types, typeInput);
  const subtypes = taxonomySubtypes(taxonomy, qType);
  const qSubtype = chosenFrom(subtypes, subtypeInput);
  const [what, setWhat] = useState('');
  const [domain, setDomain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = useAsync(() => loadQuestions(api, video.id), [api, video.id]);
  const canAudit = project?.role === 'reviewer' || project?.role === 'manager' || !!user?.is_staff;

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
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const audit = async (q: VideoQuestion) => {
    try {
      await auditQuestion(api, q.id);
      list.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Typing (and a select's own type-ahead) keeps its letters.
      if (isTextField(e.target) || (e.target as HTMLElement | null)?.tagName === 'SELECT') return;
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
            {times && start !== null && end !== null
              ? `Segment: frames ${Math.min(start, end)}–${Math.max(start, end)} = ${times.start_time.toFixed(2)}–${times.end_time.toFixed(2)} s`
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
