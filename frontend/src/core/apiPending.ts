// TEMPORARY: hand-written shapes for what the server's OpenAPI schema does not describe yet.
// The backend is getting serializers for these answers (issue 11). When `../../api_types.sh`
// generates them, alias each one in apiTypes.ts from `components["schemas"]` and delete it here;
// when this file is empty, delete it. No other file under src/ declares an API shape by hand.
import type { components } from './api-schema';
import type { ImageRecord, MaskRecord, ModelVersion, TrainingRound } from './apiTypes';
import type { CompressedRle } from './rle';

type Schemas = components['schemas'];
type Box = [number, number, number, number];

// --- answers the schema types as a free `object`

/** The model that answered (predict, health): `fallback` is true when the classical backend serves;
 * `warning` is set when unverified (possibly untrained) weights serve under MODEL_ALLOW_UNVERIFIED. */
export interface ModelInfo { backend: string; version: string; fallback: boolean; reason: string | null; warning?: string | null }
/** One proposed mask of POST /api/images/{id}/predict/; `logits_token` refines from this candidate. */
export interface Candidate { rle: CompressedRle; score: number; logits_token?: string }
/** predict, 200: the candidates. */
export interface PredictAnswer { masks: Candidate[]; model: ModelInfo; logits_token: string }
/** predict, 202: the image's embedding is being computed by `job`. */
export interface PredictPending { job: Pick<Schemas['Job'], 'id' | 'state' | 'progress'> | null; model?: ModelInfo }

/** GET /api/health/ (200 and 503). */
export interface Health { status: string; checks: Record<string, unknown> & { model?: ModelInfo } }

/** The 409 of PATCH / DELETE / accept / reject / review of a mask: the server's current row. */
export interface MaskConflictBody { detail: string; current: MaskRecord }
/** The 409 of POST /api/projects/{id}/rounds/: the round already queued or running. */
export interface RoundConflictBody { detail: string; current: TrainingRound | null }

export type MetricsGroup = 'day' | 'stage' | 'annotator' | 'model_version';
/** One group of GET /api/projects/{id}/metrics/; the group keys present are those asked for. */
export interface MetricsRow {
  day?: string | null; stage?: string | null; annotator?: string | null; model_version?: string | null;
  masks: number; images: number; person_masks?: number; masks_per_image: number | null;
  seconds_per_mask: number | null; clicks_per_mask: number | null;
  proposals_decided: number; proposals_unchanged: number; share_accepted_unchanged: number | null;
}
export interface MetricsAnswer { project: number; by: MetricsGroup[]; rows: MetricsRow[] }

/** POST /api/projects/{id}/model-versions/rollback/: null when the deployment's default serves again. */
export interface RollbackAnswer { active: ModelVersion | null }

/** GET /api/projects/{id}/review/queue/?kind=mask|masklet: the oldest submitted items first. */
export interface ReviewQueueAnswer<T> { kind: 'mask' | 'masklet'; count: number; results: T[] }

/** GET /api/videos/{id}/masklets/ (with `updated_after`: only the frames written since). */
export interface MaskletInfo { id?: number; object_id: number; category: number | null; status: string }
export interface MaskletFrameRow {
  object_id: number; frame: number; rle: CompressedRle; area: number; edited: boolean; source: string; updated_at: string;
}
export interface MaskletsAnswer { video?: number; masklets: MaskletInfo[]; frames: MaskletFrameRow[]; updated_until: string | null }

/** A row of POST /api/projects/{id}/images/ (the schema says a paginated list): `created` is false for a duplicate. */
export type UploadedImage = ImageRecord & { created: boolean };

// --- fields the schema types as `unknown` (JSON fields) or looser than the server sends;
//     apiTypes.ts narrows them with Refine (each name must still exist in the schema)

export type EmbeddingStatus = 'ready' | 'pending' | 'failed' | 'none';
export interface ImageFields { embedding_status: EmbeddingStatus }
export interface MaskFields { rle: CompressedRle; bbox: Box }
export interface VideoFields {
  extraction_job: (Pick<Schemas['Job'], 'id' | 'state' | 'progress'> & { message?: string }) | null;
}
export interface SessionFields { objects: { object_id: number; category: number | null; status: string }[] }
export interface MaskletFields { frames: { count: number; visible: number; edited: number } }
/** Held-out figures of one model (training/evaluate.py METRIC_NAMES, plus "masks"). */
export type Figures = Partial<Record<string, number>>;
/** ModelVersion.metrics: the candidate and the model serving when the round ran, on the same held-out masks. */
export interface VersionMetrics { candidate?: Figures | null; parent?: Figures | null; gate_metric?: string }
export interface ModelVersionFields { metrics: VersionMetrics; snapshot: Record<string, unknown> }
export interface TrainingRoundFields { candidate: ModelVersion | null; config: Record<string, unknown> }
export interface ProjectFields { qa_taxonomy: Record<string, string[]> }
export interface DenseCaption { start_frame: number; end_frame: number; caption: string }
export interface RegionCaptionFields { dense_captions: DenseCaption[] }
