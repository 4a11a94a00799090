// A video whose frames are still being extracted: the job's progress; the annotator opens by itself.
import type { Project, VideoRecord } from '../../core/apiTypes';
import { Link } from '../Link';

export function ExtractingView({ video, project }: { video: VideoRecord | null; project: Project | null }) {
  const job = video?.extraction_job;
  const total = video?.annotation_frame_count || 0;
  const percent = Math.round((job?.progress ?? 0) * 100);
  return (
    <main className="page">
      <nav className="breadcrumbs">
        {project && <Link to={{ page: 'videos', projectId: project.id }}>{project.name}</Link>} / {video?.file_name}
      </nav>
      <div className="extracting" role="status" data-testid="extracting">
        <div className="spinner" />
        <p>Extracting frames… {job ? `${percent}%` : ''} {total ? `(${video?.frames_extracted ?? 0} of ${total} frames)` : ''}</p>
        <div className="progress"><div className="progress-bar" style={{ width: `${percent}%` }} /></div>
        <p className="muted small">The annotator opens by itself when the frames are ready.</p>
      </div>
    </main>
  );
}
