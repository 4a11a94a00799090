// PLM endpoints over the shared ApiClient: video questions (fine-grained QA) and region captions.
import type { ApiClient } from '../../core/api';
import type { CaptionCreate, QuestionCreate, RegionCaption, VideoQuestion } from '../../core/apiTypes';

export function questions(api: ApiClient, videoId: number): Promise<VideoQuestion[]> {
  return api.allPages(`/api/videos/${videoId}/questions/`);
}

export function createQuestion(api: ApiClient, videoId: number, question: QuestionCreate): Promise<VideoQuestion> {
  return api.json('POST', `/api/videos/${videoId}/questions/`, question);
}

export function auditQuestion(api: ApiClient, questionId: number): Promise<VideoQuestion> {
  return api.json('POST', `/api/questions/${questionId}/audit/`);
}

export function captions(api: ApiClient, videoId: number): Promise<RegionCaption[]> {
  return api.allPages(`/api/videos/${videoId}/captions/`);
}

export function createCaption(api: ApiClient, videoId: number, caption: CaptionCreate): Promise<RegionCaption> {
  return api.json('POST', `/api/videos/${videoId}/captions/`, caption);
}
