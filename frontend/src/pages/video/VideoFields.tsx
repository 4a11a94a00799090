// The SA-V per-video fields a person sets on the video page: the environment (Indoor / Outdoor, which
// a SA-V export requires) and the split. Loads and saves the video on its own, so the annotator
// page only places it.
import { useState } from 'react';
import { errorMessage } from '../../core/apiErrors';
import { describeVideo, video as loadVideo, type VideoDescription } from '../../core/videoApi';
import { useApp } from '../appContext';
import { useAsync } from '../useAsync';

const ENVIRONMENTS = ['Indoor', 'Outdoor'] as const;
const SPLITS = ['train', 'val', 'test'] as const;

export function VideoFields({ videoId }: { videoId: number }) {
  const { api } = useApp();
  const loaded = useAsync(() => loadVideo(api, videoId), [api, videoId]);
  const [saved, setSaved] = useState<{ environment: string; split: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = saved ?? (loaded.data ? { environment: loaded.data.environment, split: loaded.data.split } : null);

  async function save(change: VideoDescription): Promise<void> {
    setError(null);
    try {
      const answer = await describeVideo(api, videoId, change);
      setSaved({ environment: answer.environment, split: answer.split });
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  if (!current) return null;
  return (
    <section data-testid="video-fields">
      <h2>Dataset fields</h2>
      <label className="small">
        Environment{' '}
        <select
          value={current.environment} data-testid="video-environment"
          onChange={(e) => void save({ environment: e.target.value as VideoDescription['environment'] })}
        >
          {current.environment === '' && <option value="">not set (needed for SA-V export)</option>}
          {ENVIRONMENTS.map((value) => <option key={value} value={value}>{value}</option>)}
        </select>
      </label>{' '}
      <label className="small">
        Split{' '}
        <select
          value={current.split} data-testid="video-split"
          onChange={(e) => void save({ split: e.target.value as VideoDescription['split'] })}
        >
          {SPLITS.map((value) => <option key={value} value={value}>{value}</option>)}
        </select>
      </label>
      {(error ?? loaded.error) && <p className="form-error" role="alert">{error ?? loaded.error}</p>}
    </section>
  );
}
