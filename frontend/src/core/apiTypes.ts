// The API's shapes under the names the code uses: aliases of what openapi-typescript generates from
// the server's schema (api-schema.d.ts, written by ../../api_types.sh and checked against the live
// schema by ../../check_api_types.sh), so a renamed or removed field breaks the build, not the page.
// Where the schema says less than the server sends (JSON fields typed `unknown`), Refine narrows a
// field that must exist in the schema; those narrowings, and the answers the schema gets wrong, are
// in apiPending.ts (temporary).
import type { components } from './api-schema';
import type {
  HealthModelCheck, ImageFields, MaskFields, MaskletFields, ModelVersionFields, ProjectFields, RegionCaptionFields, RleFields,
  TrainingRoundFields, VideoFields,
} from './apiPending';
import type { CompressedRle } from './rle';

type Schemas = components['schemas'];

/** `T` with the fields of `R` replaced by narrower types; every key of `R` must be a field of `T`. */
export type Refine<T, R extends { [K in keyof R]: K extends keyof T ? unknown : never }> = Omit<T, keyof R> & R;

type Box = [number, number, number, number];

// --- answers

export type User = Schemas['User'];
/** Who this browser is signed in as (user null: nobody), and until when. */
export type BrowserSession = Schemas['BrowserSession'];
/** The user's API token as the account page shows it (never the key); token null: none. */
export type ApiTokenAnswer = Schemas['ApiToken'];
export type ApiTokenInfo = Schemas['TokenInfo'];
export type Category = Schemas['Category'];
export type ProjectKind = Schemas['ProjectKindEnum'];
/** assisted: people click, SAM proposes; semi: automatic proposals to accept / fix / reject; auto: no person. */
export type ProjectStage = Schemas['StageEnum'];
export type Project = Refine<Schemas['Project'], ProjectFields>;
export type ImageRecord = Refine<Schemas['Image'], ImageFields>;
export type JobState = Schemas['JobStateEnum'];
export type Job = Schemas['Job'];
export type ExportFormat = Schemas['FormatEnum'];
export interface ExportOptions { include_all?: boolean; frames?: boolean; uncategorised?: string }
export type ExportRecord = Refine<Schemas['Export'], { options: ExportOptions }>;
export type ExportCreate = Schemas['ExportCreate'];
export type Membership = Schemas['Membership'];
export type Role = Schemas['RoleEnum'];
export type WorkState = Schemas['WorkStateEnum'];
export type StateCounts = Record<WorkState, number>;
/** A page of a work list: the items and the project's count of items in each state. */
export type WorkPage<T> = Page<T> & { state_counts: StateCounts };
/** proposed: an automatic mask waiting for a person; rejected ones are kept for the metrics only. */
export type MaskStatus = Schemas['MaskStatusEnum'];
export type MaskRecord = Refine<Schemas['Mask'], MaskFields>;
export type VideoRecord = Refine<Schemas['Video'], VideoFields>;
export type VideoWorkRecord = Refine<Schemas['VideoWork'], VideoFields>;
export type FrameRecord = Schemas['Frame'];
export type VideoSessionRecord = Schemas['Session'];
export type MaskletRecord = Refine<Schemas['Masklet'], MaskletFields>;
export type ReviewRecord = Schemas['Review'];
export type VideoQuestion = Schemas['VideoQuestion'];
export type CaptionKind = Schemas['RegionCaptionKindEnum'];
export type RegionCaption = Refine<Schemas['RegionCaption'], RegionCaptionFields>;
export type ModelVersion = Refine<Schemas['ModelVersion'], ModelVersionFields>;
export type TrainingRound = Refine<Schemas['TrainingRound'], TrainingRoundFields>;
export type TrainingSchedule = Schemas['TrainingSchedule'];
export type ScheduledRun = Schemas['ScheduledRun'];
export type SchedulePeriod = Schemas['PeriodEnum'];
/** A simulator run: its job (progress; result.rounds once finished) and options. */
export type Simulation = Schemas['Simulation'];

/** Which model serves, and why not the one asked for (`fallback`: the classical backend). */
export type ModelInfo = Schemas['ModelStatus'];
export type Health = Refine<Schemas['Health'], { checks: Schemas['Checks'] & HealthModelCheck }>;
/** One candidate of POST /api/images/{id}/predict/; its `logits_token` refines from it. */
export type Candidate = Refine<Schemas['CandidateMask'], RleFields>;
/** predict, 200: the candidates. */
export type PredictAnswer = Refine<Schemas['PredictResult'], { masks: Candidate[] }>;
/** predict, 202: the image's embedding is being computed by `job`. */
export type PredictPending = Schemas['EmbeddingPending'];
/** The 409 of PATCH / DELETE / accept / reject / review of a mask: the server's current row. */
export type MaskConflictBody = Refine<Schemas['MaskConflict'], { current: MaskRecord }>;
/** The 409 of POST /api/projects/{id}/rounds/: the round already queued or running. */
export type RoundConflictBody = Refine<Schemas['RoundConflict'], { current: TrainingRound }>;
/** GET /api/projects/{id}/metrics/?by=...: one row per group (the group keys present are those asked for). */
export type MetricsRow = Schemas['MetricsRow'];
export type MetricsAnswer = Schemas['ProjectMetrics'];
/** The `by` values of the metrics endpoint (a comma-separated query value). */
export type MetricsGroup = 'day' | 'stage' | 'annotator' | 'model_version';
/** POST /api/projects/{id}/model-versions/rollback/: null when the deployment's default serves again. */
export type RollbackAnswer = Refine<Schemas['Rollback'], { active: ModelVersion | null }>;
/** GET /api/projects/{id}/review/queue/?kind=mask|masklet: the oldest submitted items first. */
export type ReviewQueueAnswer<T> = Refine<Schemas['ReviewQueue'], { results: T[] }>;
/** GET /api/videos/{id}/masklets/ (with `updated_after`: only the frames written since). */
export type MaskletInfo = Schemas['MaskletInfo'];
export type MaskletFrameRow = Refine<Schemas['MaskletFrameRow'], RleFields>;
export type MaskletsAnswer = Refine<Schemas['MaskletFrames'], { frames: MaskletFrameRow[] }>;

/** A page of a DRF list (every list endpoint paginates the same way). */
export type Page<T> = Omit<Schemas['PaginatedImageList'], 'results'> & { results: T[] };

// --- requests

export type ProjectCreate = Refine<Schemas['ProjectCreate'], { categories?: string[] }>;
export type ProjectUpdate = Schemas['PatchedProjectUpdate'];
export type ScheduleCreate = Schemas['ScheduleWrite'];
export type ScheduleUpdate = Schemas['PatchedScheduleWrite'];
export type PredictRequest = Refine<Schemas['PredictInput'], {
  points: [number, number][]; labels: (0 | 1)[]; box?: Box; logits_token?: string; multimask: boolean;
}>;
/** One click or box of a mask's prompt log (`t_ms` since the mask's session started). */
export type Prompt = Refine<Schemas['Prompt'], { kind: 'point' | 'box'; label?: 0 | 1; box?: Box }>;
export type MaskCreate = Refine<Schemas['MaskCreate'], { rle: CompressedRle; prompts: Prompt[] }>;
export type MaskUpdate = Refine<Schemas['PatchedMaskUpdate'], { version: number; rle?: CompressedRle; prompts?: Prompt[] }>;
export type PropagateDirection = Schemas['DirectionEnum'];
type VideoPrompt = Schemas['PromptInput'];
/** POST /api/video-sessions/{id}/prompts/: clicks and box, a brushed mask, or the object's removal. */
export type VideoPromptRequest =
  | Refine<VideoPrompt, { kind: 'points'; points: [number, number][]; labels: (0 | 1)[]; box?: Box; rle?: never }>
  | Refine<VideoPrompt, { kind: 'mask'; rle: CompressedRle; points?: never; labels?: never; box?: never }>
  | Refine<VideoPrompt, { kind: 'remove'; points?: never; labels?: never; box?: never; rle?: never; category?: never }>;
export type MaskDecision = Refine<Schemas['Decision'], { version: number; rle?: CompressedRle }>;
export type MaskletDecision = Refine<Omit<Schemas['Decision'], 'rle' | 'version'>, { decision: 'accept' | 'reject' }>;
export type QuestionCreate = Pick<
  VideoQuestion, 'start_time' | 'end_time' | 'question' | 'answer' | 'q_type' | 'q_subtype' | 'what_description' | 'domain'
>;
export type CaptionCreate = Refine<Schemas['CaptionInput'], RegionCaptionFields>;
/** What a manager may set for one round; everything is optional. */
export type RoundConfig = Schemas['RoundConfig'];
/** Settings of a simulator run (python -m training simulate's options). */
export type SimulationOptions = Schemas['SimulationOptions'];
