// PLM records of one video: fine-grained QA pairs on a time segment (QuestionsPanel), and region
// captions on a masklet (CaptionsPanel: rcap, rtloc, or rdcap's consecutive captioned segments).
// Frames come from the extracted frames.
import { useCallback, useMemo } from 'react';
import type { CompressedRle } from '../../core/rle';
import { masklets as loadMasklets, video as loadVideo } from '../../core/videoApi';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import { CaptionsPanel } from './CaptionsPanel';
import { useFrames } from './FrameView';
import { QuestionsPanel } from './QuestionsPanel';
import './plm.css';

export type PlmTab = 'qa' | 'captions';

/** What both panels need to know of the video. */
export interface VideoFacts { id: number; project: number; fps: number; annotation_fps: number; duration: number; frameCount: number; name: string }

// --- the page

export function PlmPage({ videoId, tab = 'qa' }: { videoId: number; tab?: PlmTab }) {
  const { api, navigate } = useApp();
  const record = useAsync(() => loadVideo(api, videoId), [api, videoId]);
  const projectId = record.data?.project;
  const project = useAsync(() => (projectId ? api.project(projectId) : Promise.resolve(null)), [api, projectId]);
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
    const frameCount = cache?.count || v.annotation_frame_count;
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
      {facts && cache && cache.count === 0 && (
        <p className="banner banner-warning">The frames of this video are not extracted yet; come back when they are.</p>
      )}
      {facts && tab === 'qa' && <QuestionsPanel video={facts} cache={cache} project={project.data} />}
      {facts && tab === 'captions' && (
        <CaptionsPanel video={facts} cache={cache} maskletList={maskletAnswer.data?.masklets ?? []} masks={masks} />
      )}
    </main>
  );
}
