// A video project's videos: size, frames to annotate, extraction progress, and a link to annotate.
import { useEffect } from 'react';
import { isFinalJob } from '../../core/api';
import type { VideoRecord } from '../../core/apiTypes';
import { projectVideos } from '../../core/videoApi';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { Pager } from '../Pager';
import { useAsync } from '../useAsync';
import './video.css';

function extractionLabel(video: VideoRecord): string {
  const job = video.extraction_job;
  if (!job) return video.frames_extracted ? 'ready' : 'not extracted';
  if (job.state === 'succeeded') return 'ready';
  if (job.state === 'running') return `extracting ${Math.round(job.progress * 100)}%`;
  return job.state;
}

export function VideoListPage({ projectId, pageNumber = 1 }: { projectId: number; pageNumber?: number }) {
  const { api } = useApp();
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const videos = useAsync(() => projectVideos(api, projectId, pageNumber), [api, projectId, pageNumber]);
  const extracting = videos.data?.results.some((v) => v.extraction_job && !isFinalJob(v.extraction_job)) ?? false;

  // While a video is being extracted, read the list again now and then to show the progress.
  useEffect(() => {
    if (!extracting) return;
    const timer = setTimeout(() => videos.reload(), 1500);
    return () => clearTimeout(timer);
  });

  return (
    <main className="page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'}</nav>
      <div className="page-head">
        <h1>{project.data?.name ?? 'Project'}</h1>
        {project.data && <span className="muted">{project.data.video_count} videos · {project.data.mask_count} masks · annotated at {project.data.annotation_fps} fps</span>}
      </div>
      {videos.error && <p className="form-error" role="alert">{videos.error}</p>}
      {videos.loading && !videos.data && <p className="muted">Loading videos…</p>}
      {videos.data && videos.data.count === 0 && <p className="muted">No videos in this project yet.</p>}
      {videos.data && videos.data.count > 0 && (
        <table className="table" data-testid="videos">
          <thead>
            <tr><th>Video</th><th>Size</th><th>Length</th><th>Frames to annotate</th><th>Frames</th><th /></tr>
          </thead>
          <tbody>
            {videos.data.results.map((v) => (
              <tr key={v.id}>
                <td><Link to={{ page: 'video', videoId: v.id }}>{v.file_name || `video ${v.id}`}</Link></td>
                <td>{v.width}×{v.height}</td>
                <td>{v.frame_count} frames @ {Math.round(v.fps * 100) / 100} fps</td>
                <td>{v.annotation_frame_count} @ {v.annotation_fps} fps</td>
                <td className="video-thumb-state">{extractionLabel(v)}</td>
                <td><Link to={{ page: 'video', videoId: v.id }}>Annotate →</Link> <Link to={{ page: 'plm', videoId: v.id }}>PLM →</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={videos.data} pageNumber={pageNumber} to={(n) => ({ page: 'videos', projectId, pageNumber: n })} />
    </main>
  );
}
