// Whole API rows for unit tests: every field the schema requires, so a test's fake server answers
// what the real one would. Override what the test is about.
import type { ImageRecord, Job, MaskRecord, ModelVersion, Project, TrainingRound } from '../core/apiTypes';

export function maskRecord(fields: Partial<MaskRecord> = {}): MaskRecord {
  return {
    id: 1, image: 1, project: 1, category: null, rle: { size: [1, 1], counts: '01' }, area: 1, bbox: [0, 0, 1, 1],
    source: 'assisted', status: 'submitted', predicted_iou: null, stability_score: null, point_coords: null, crop_box: null,
    stage: 'assisted', edited: false, model_version: 'm', version: 1, seconds: 0, clicks: 0, created_by: null, annotator: null,
    created_at: '', updated_at: '', ...fields,
  };
}

export function imageRecord(fields: Partial<ImageRecord> = {}): ImageRecord {
  return {
    id: 1, project: 1, width: 20, height: 10, sha256: 'x', file_name: 'a.png', format: 'PNG', size_bytes: 100,
    file_url: '/api/images/1/file/', thumbnail_url: '/api/images/1/thumbnail/', state: 'new', state_reason: null, holders: [],
    mask_count: 0, proposal_count: 0, embedding_status: 'ready', created_at: '', ...fields,
  };
}

export function projectRecord(fields: Partial<Project> = {}): Project {
  return {
    id: 1, name: 'p', kind: 'image', stage: 'assisted', annotation_fps: 6, description: '', categories: [], role: 'annotator',
    amg_settings: {}, review_required: false, qa_taxonomy: {}, gate_metric: 'NoC@90', retrain_every_masks: null, annotators_per_item: 1,
    active_model_version: null, auto_job: null, learned_model_missing: null, image_count: 0, video_count: 0, mask_count: 0, images_done: 0, created_at: '',
    ...fields,
  };
}

export function jobRecord(fields: Partial<Job> = {}): Job {
  return {
    id: 1, kind: 'embed', state: 'queued', queue: 'gpu', project: null, subject_type: '', subject_id: null, progress: 0,
    message: '', attempts: 0, max_attempts: 3, result: null, created_at: '', started_at: null, finished_at: null, retryable: false, ...fields,
  };
}

export function modelVersionRecord(fields: Partial<ModelVersion> = {}): ModelVersion {
  return {
    id: 1, project: 1, spec: 'sam:vit_b', version: 'v1', parent_version: '', status: 'candidate', metrics: {}, snapshot: {},
    created_at: '', promoted_at: null, ...fields,
  };
}

export function trainingRoundRecord(fields: Partial<TrainingRound> = {}): TrainingRound {
  return {
    id: 1, project: 1, trigger: 'manual', config: {}, job: jobRecord({ kind: 'train_round' }), parent_version: '',
    candidate: null, promoted: null, masks_used: 0, log: '', created_at: '', ...fields,
  };
}
