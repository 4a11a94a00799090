// A video project's work list: upload (managers), thumbnails, each video's state for the team with
// filters and counts, frame extraction progress read from its job, "Annotate next video" within the
// filter, and an annotator's decisions per video.
import { useState } from 'react';
import { canManage, isFinalJob } from '../../core/api';
import type { VideoWorkRecord, WorkState } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { nextVideo, projectVideos } from '../../core/videoApi';
import { rememberedStates, rememberStates, STATE_LABELS } from '../../core/work';
import { plural } from '../../core/words';
import { useApp } from '../appContext';
import { JobBar } from '../JobBar';
import { Link } from '../Link';
import { Pager } from '../Pager';
import { ProjectNav } from '../ProjectNav';
import { UploadPanel } from '../UploadPanel';
import { useAsync } from '../useAsync';
import { useLiveReload } from '../useLiveReload';
import { StateFilter } from '../work/StateFilter';
import { Thumbnail } from '../work/Thumbnail';
import { WorkActions } from '../work/WorkActions';
import './video.css';

function Extraction({ video }: { video: VideoWorkRecord }) {
  const job = video.extraction_job;
  if (!job) return <span>{video.frames_extracted ? 'ready' : 'not extracted'}</span>;
  if (job.state === 'succeeded') return <span>ready</span>;
  if (job.state === 'running') return <JobBar job={job} />;
  return <span className={`status job-state-${job.state}`}>{job.state === 'queued' ? 'waiting to extract' : job.state}{job.message ? `: ${job.message}` : ''}</span>;
}

export function VideoListPage({ projectId, pageNumber = 1 }: { projectId: number; pageNumber?: number }) {
  const { api, navigate, user } = useApp();
  const [states, setStates] = useState<WorkState[]>(() => rememberedStates(projectId));
  const [nextError, setNextError] = useState<string | null>(null);
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const videos = useAsync(() => projectVideos(api, projectId, pageNumber, states), [api, projectId, pageNumber, states]);
  useLiveReload(videos.data?.results.some((v) => v.extraction_job && !isFinalJob(v.extraction_job)) ?? false, videos.reload, 1500);
  const manager = canManage(project.data, user);
  const annotates = project.data?.role === 'annotator' || manager;
  const empty = videos.data && videos.data.count === 0 && states.length === 0;

  function filter(next: WorkState[]) {
    rememberStates(projectId, next);
    setStates(next);
  }

  async function startNext() {
    setNextError(null);
    try {
      const next = await nextVideo(api, projectId, states);
      if (next) navigate({ page: 'video', videoId: next.id });
      else setNextError('No video in the chosen states is left for you.');
    } catch (e) {
      setNextError(errorMessage(e));
    }
  }

  return (
    <main className="page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'}</nav>
      <div className="page-head">
        <h1>{project.data?.name ?? 'Project'}</h1>
        {project.data && <span className="muted">{plural(project.data.video_count, 'video')} · {plural(project.data.mask_count, 'mask')} · annotated at {project.data.annotation_fps} fps</span>}
        <span className="spacer" />
        {annotates && !empty && <button type="button" className="primary" onClick={startNext} data-testid="annotate-next">Annotate next video</button>}
      </div>
      {project.data && <ProjectNav project={project.data} current="items" />}
      {manager && <UploadPanel projectId={projectId} kind="video" onUploaded={() => { videos.reload(); project.reload(); }} />}
      {nextError && <p className="notice">{nextError}</p>}
      {videos.error && <p className="form-error" role="alert">{videos.error}</p>}
      {empty && <p className="notice" data-testid="first-run">No videos yet. {manager ? 'Upload some above; their frames are extracted for annotation.' : 'A manager of this project uploads them.'}</p>}
      {!empty && <StateFilter counts={videos.data?.state_counts ?? null} states={states} onChange={filter} />}
      {videos.data && videos.data.count > 0 && (
        <table className="table" data-testid="videos">
          <thead><tr><th /><th>Video</th><th>State</th><th>Frames to annotate</th><th>Frames</th><th /></tr></thead>
          <tbody>
            {videos.data.results.map((v) => (
              <tr key={v.id} data-testid={`item-${v.id}`} data-state={v.state}>
                <td>{v.frames_extracted ? <Thumbnail path={v.thumbnail_url} alt={v.file_name} /> : null}</td>
                <td>
                  <Link to={{ page: 'video', videoId: v.id }}>{v.file_name || `video ${v.id}`}</Link>
                  <div className="muted small">{v.width}×{v.height} · {v.frame_count} frames @ {Math.round(v.fps * 100) / 100} fps</div>
                </td>
                <td>
                  <span className={`state-badge state-${v.state}`}>{STATE_LABELS[v.state]}</span>
                  {v.state_reason && <div className="muted small">“{v.state_reason}”</div>}
                  {v.holders.length > 0 && <div className="muted small">held by {v.holders.map((h) => h.username).join(', ')}</div>}
                </td>
                <td>{v.annotation_frame_count} @ {v.annotation_fps} fps</td>
                <td className="video-thumb-state"><Extraction video={v} /></td>
                <td>
                  {annotates && <WorkActions kind="video" id={v.id} state={v.state} onDone={() => videos.reload()} />}
                  <Link to={{ page: 'plm', videoId: v.id }}>PLM →</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={videos.data} pageNumber={pageNumber} to={(n) => ({ page: 'videos', projectId, pageNumber: n })} />
    </main>
  );
}
