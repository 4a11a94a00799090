import { describe, expect, it } from 'vitest';
import {
  chainSegments, denseErrors, frameTime, segmentError, segmentTimes, splitLast, taxonomySubtypes, taxonomyTypes, timeFrame,
} from './segments';

describe('frame and time', () => {
  it('puts annotated frame k at k / annotation fps', () => {
    expect(frameTime(0, 6)).toBe(0);
    expect(frameTime(3, 6)).toBe(0.5);
    expect(frameTime(5, 0)).toBe(0);
    expect(timeFrame(0.5, 6, 12)).toBe(3);
    expect(timeFrame(0.49, 6, 12)).toBe(2);
    expect(timeFrame(99, 6, 12)).toBe(11);
    expect(timeFrame(-1, 6, 12)).toBe(0);
  });

  it('covers frames start..end inclusive, clamped to the duration', () => {
    expect(segmentTimes(3, 8, 6, 2)).toEqual({ start_time: 0.5, end_time: 1.5 });
    expect(segmentTimes(8, 3, 6, 2)).toEqual({ start_time: 0.5, end_time: 1.5 }); // marked backwards
    expect(segmentTimes(0, 11, 6, 1.9)).toEqual({ start_time: 0, end_time: 1.9 }); // last frame: the video ends
    expect(segmentTimes(4, 4, 6, 2)).toEqual({ start_time: 0.667, end_time: 0.833 }); // one frame is a segment
  });

  it('checks a segment as the server does', () => {
    expect(segmentError(0.5, 1.5, 2)).toBeNull();
    expect(segmentError(1, 1, 2)).toMatch(/ends before/);
    expect(segmentError(0, 2.5, 2)).toMatch(/after the video/);
    expect(segmentError(-0.1, 1, 2)).toMatch(/before the video/);
    expect(segmentError(NaN, 1, 2)).toMatch(/Mark/);
  });
});

describe('dense captions', () => {
  const ok = [
    { start_frame: 0, end_frame: 3, caption: 'walks in' },
    { start_frame: 4, end_frame: 9, caption: 'sits down' },
  ];

  it('accepts consecutive captioned segments inside the video', () => {
    expect(denseErrors(ok, 12)).toEqual([]);
  });

  it('names every problem', () => {
    expect(denseErrors([], 12)).toEqual(['Add at least one segment.']);
    expect(denseErrors([ok[0], { ...ok[1], start_frame: 5 }], 12)).toEqual(['Segment 2: must start at frame 4, right after segment 1.']);
    expect(denseErrors([ok[0], { ...ok[1], end_frame: 12 }], 12)[0]).toMatch(/outside the video's frames 0–11/);
    expect(denseErrors([{ ...ok[0], caption: ' ' }], 12)).toEqual(['Segment 1: write its caption.']);
    expect(denseErrors([{ start_frame: 5, end_frame: 2, caption: 'x' }], 12)[0]).toMatch(/ends .* before it starts/);
    expect(denseErrors([{ start_frame: 0.5, end_frame: 2, caption: 'x' }], 12)[0]).toMatch(/whole numbers/);
  });

  it('chains segments so each starts after the previous one', () => {
    const chained = chainSegments([ok[0], { start_frame: 7, end_frame: 9, caption: 'b' }, { start_frame: 0, end_frame: 5, caption: 'c' }]);
    expect(chained.map((s) => [s.start_frame, s.end_frame])).toEqual([[0, 3], [4, 9], [10, 10]]);
    expect(denseErrors(chained, 12)).toEqual([]);
  });

  it('splits the last segment at a frame', () => {
    const one = [{ start_frame: 0, end_frame: 11, caption: 'all' }];
    const two = splitLast(one, 5);
    expect(two).toEqual([{ start_frame: 0, end_frame: 4, caption: 'all' }, { start_frame: 5, end_frame: 11, caption: '' }]);
    expect(splitLast(two, 5)).toBe(two); // at the segment's start: no empty segment
    expect(splitLast(two, 20)).toBe(two);
    expect(splitLast([], 3)).toEqual([{ start_frame: 0, end_frame: 3, caption: '' }]);
  });
});

describe('taxonomy', () => {
  it('lists types and subtypes (none: free text)', () => {
    const taxonomy = { action: ['order', 'count'], object: [] };
    expect(taxonomyTypes(taxonomy)).toEqual(['action', 'object']);
    expect(taxonomySubtypes(taxonomy, 'action')).toEqual(['order', 'count']);
    expect(taxonomySubtypes(taxonomy, 'object')).toEqual([]);
    expect(taxonomyTypes({})).toEqual([]);
    expect(taxonomyTypes(undefined)).toEqual([]);
  });
});
