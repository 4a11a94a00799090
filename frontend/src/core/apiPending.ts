// TEMPORARY: what the server's OpenAPI schema does not describe (or describes looser than the server
// sends). When a serializer describes one of these, `../../api_types.sh` regenerates the schema: alias
// it in apiTypes.ts and delete it here; when this file is empty, delete it. No other file under src/
// declares an API shape by hand.
import type { components } from './api-schema';
import type { ImageRecord, ModelVersion } from './apiTypes';
import type { CompressedRle } from './rle';

type Schemas = components['schemas'];
type Box = [number, number, number, number];

// --- answers the schema describes wrongly

/** A row of POST /api/projects/{id}/images/ (201, a plain list; the schema says a paginated list of
 * images): `created` is false for a file already in the project. */
export type UploadedImage = ImageRecord & { created: boolean };

/** GET /api/health/: the model check carries the serving model's fields besides ok / ms (the
 * schema's CheckSerializer lists only those). */
export interface HealthModelCheck { model?: Schemas['Check'] & Partial<Schemas['ModelStatus']> }

// --- fields the schema types as `unknown` (JSON fields) or looser than the server sends;
//     apiTypes.ts narrows them with Refine (each name must still exist in the schema)

export type EmbeddingStatus = 'ready' | 'pending' | 'failed' | 'none';
export interface ImageFields { embedding_status: EmbeddingStatus }
/** Every RLE the API sends is COCO's compressed one; a bbox is COCO [x, y, w, h]. */
export interface RleFields { rle: CompressedRle }
export interface MaskFields extends RleFields { bbox: Box }
export interface VideoFields {
  extraction_job: (Pick<Schemas['Job'], 'id' | 'state' | 'progress'> & { message?: string }) | null;
}
export interface MaskletFields { frames: { count: number; visible: number; edited: number } }
/** Held-out figures of one model (training/evaluate.py METRIC_NAMES, plus "masks"). */
export type Figures = Partial<Record<string, number>>;
/** ModelVersion.metrics: the candidate and the model serving when the round ran, on the same held-out masks. */
export interface VersionMetrics { candidate?: Figures | null; parent?: Figures | null; gate_metric?: string }
export interface ModelVersionFields { metrics: VersionMetrics; snapshot: Record<string, unknown> }
/** A round has no candidate until it trained one (the schema says it always has). */
export interface TrainingRoundFields { candidate: ModelVersion | null; config: Record<string, unknown> }
export interface ProjectFields { qa_taxonomy: Record<string, string[]> }
export interface DenseCaption { start_frame: number; end_frame: number; caption: string }
export interface RegionCaptionFields { dense_captions: DenseCaption[] }
