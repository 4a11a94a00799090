// Under the video frame: step, play / pause, a slider over the frames and the frame's number (typing
// a number goes there; Enter or Escape hands the keyboard back to the shortcuts), and its time.
import { formatTime } from '../../core/video';
import { keyHint } from '../../core/keymap';
import type { VideoController, VideoView } from './VideoController';

export function FrameScrubber({ view, controller }: { view: VideoView; controller: VideoController }) {
  const last = Math.max(0, view.frames.length - 1);
  const frame = view.frames[view.frame];
  const go = (value: string) => { if (value !== '') { controller.pause(); void controller.goTo(Number(value)); } };
  return (
    <div className="scrubber">
      <button type="button" onClick={() => controller.step(-1)} disabled={view.frame === 0} aria-label="previous frame" title="←">◀</button>
      <button type="button" className="play" onClick={() => controller.togglePlay()} aria-label={view.playing ? 'pause' : 'play'} title={keyHint('playPause')} data-testid="play">
        {view.playing ? '❚❚' : '▶'}
      </button>
      <button type="button" onClick={() => controller.step(1)} disabled={view.frame >= last} aria-label="next frame" title="→">▶|</button>
      <input
        type="range" min={0} max={last} value={view.frame} aria-label="frame" data-testid="frame-slider"
        onChange={(e) => go(e.target.value)}
      />
      <label className="frame-number">
        <span className="muted small">frame</span>
        <input
          type="number" min={0} max={last} value={view.frame} aria-label="frame number" data-testid="frame-number"
          title="Enter or Esc: back to the shortcuts" onChange={(e) => go(e.target.value)}
        />
        <span className="muted small">/ {last}</span>
      </label>
      <span className="muted small frame-time" title={frame ? `source frame ${frame.source_index}` : undefined}>{formatTime(frame?.timestamp)}</span>
    </div>
  );
}
