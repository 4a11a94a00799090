// PLM endpoints over the shared ApiClient: video questions (fine-grained QA) and region captions.
import type { ApiClient, Page } from '../../core/api';
import type { DenseSegment } from './segments';

export interface VideoQuestion {
  id: number; video: number; start_time: number; end_time: number; question: string; answer: string;
  q_type: string; q_subtype: string; what_description: string; domain: string; is_audited: boolean;
  created_by: number | null; created_at: string;
}
export type QuestionCreate = Omit<VideoQuestion, 'id' | 'video' | 'is_audited' | 'created_by' | 'created_at'>;
export type CaptionKind = 'rcap' | 'rtloc' | 'rdcap';
export interface RegionCaption {
  id: number; masklet: number; object_id: number; kind: CaptionKind; start_frame: number | null; end_frame: number | null;
  caption: string; dense_captions: DenseSegment[]; status: string; created_by: number | null; created_at: string;
}
export interface CaptionCreate {
  masklet: number; kind: CaptionKind; start_frame: number | null; end_frame: number | null; caption: string;
  dense_captions: DenseSegment[];
}
/** The project fields these pages read (GET /api/projects/{id}/ has more). */
export interface ProjectTaxonomy { id: number; role: string | null; qa_taxonomy?: Record<string, string[]> }

async function json<T>(api: ApiClient, method: string, path: string, body?: unknown): Promise<T> {
  const response = await api.request(method, path, body);
  return (await response.json()) as T;
}

async function all<T>(api: ApiClient, path: string): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const answer = await json<Page<T> | T[]>(api, 'GET', `${path}?page=${page}`);
    if (Array.isArray(answer)) return answer;
    out.push(...answer.results);
    if (!answer.next) return out;
  }
}

export function questions(api: ApiClient, videoId: number): Promise<VideoQuestion[]> {
  return all(api, `/api/videos/${videoId}/questions/`);
}

export function createQuestion(api: ApiClient, videoId: number, question: QuestionCreate): Promise<VideoQuestion> {
  return json(api, 'POST', `/api/videos/${videoId}/questions/`, question);
}

export function auditQuestion(api: ApiClient, questionId: number): Promise<VideoQuestion> {
  return json(api, 'POST', `/api/questions/${questionId}/audit/`);
}

export function captions(api: ApiClient, videoId: number): Promise<RegionCaption[]> {
  return all(api, `/api/videos/${videoId}/captions/`);
}

export function createCaption(api: ApiClient, videoId: number, caption: CaptionCreate): Promise<RegionCaption> {
  return json(api, 'POST', `/api/videos/${videoId}/captions/`, caption);
}

export function projectTaxonomy(api: ApiClient, projectId: number): Promise<ProjectTaxonomy> {
  return json(api, 'GET', `/api/projects/${projectId}/`);
}
