// On a video project's card: its first videos, each a link to the video annotator, and the full list.
import { projectVideos } from '../../core/videoApi';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import './video.css';

const SHOWN = 5;

export function ProjectVideoLinks({ projectId }: { projectId: number }) {
  const { api } = useApp();
  const videos = useAsync(() => projectVideos(api, projectId), [api, projectId]);
  const list = videos.data?.results ?? [];
  return (
    <div className="card-videos small" data-testid={`project-videos-${projectId}`}>
      {videos.error && <span className="form-error">{videos.error}</span>}
      {videos.data && list.length === 0 && <span className="muted">No videos yet. </span>}
      {list.length > 0 && (
        <ul className="video-links">
          {list.slice(0, SHOWN).map((v) => (
            <li key={v.id}>
              <Link to={{ page: 'video', videoId: v.id }}>{v.file_name || `video ${v.id}`}</Link>
              <span className="muted"> · {v.annotation_frame_count} frames</span>
            </li>
          ))}
        </ul>
      )}
      <Link to={{ page: 'videos', projectId }}>All videos{videos.data ? ` (${videos.data.count})` : ''} →</Link>
    </div>
  );
}
