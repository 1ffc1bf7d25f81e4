import { z } from 'zod';
import { nameText } from './safe-input.js';

/**
 * Parley's own customer-facing requests around a chat (Chat API v3 prefix, same keys as the rest of
 * that API): availability and "leave a message" before a chat, survey and transcript after it.
 */

export const SURVEY_COMMENT_MAX_LENGTH = 1000;

export const v3AvailabilityQuery = z.object({ queue: z.string().max(128).optional(), operationId: z.string().max(128).optional() });

export const v3OfflineMessageBody = z.object({
  operationId: z.string().max(128).optional(),
  data: z.object({
    name: nameText(256).refine((s) => s.trim() !== '', 'enter your name'),
    email: nameText(254),
    subject: nameText(1024).optional(),
    text: z.string().min(1, 'enter a message'),
    queue: z.string().max(128).optional(),
  }),
});

export const v3SurveyBody = z.object({
  operationId: z.string().max(128).optional(),
  data: z.object({
    rating: z.coerce.number().int('the rating is a whole number').min(1).max(5),
    comment: z.string().max(SURVEY_COMMENT_MAX_LENGTH, `the comment is at most ${SURVEY_COMMENT_MAX_LENGTH} characters`).default(''),
  }),
});

export const TRANSCRIPT_FORMATS = ['text', 'html'] as const;
export const v3TranscriptQuery = z.object({ format: z.enum(TRANSCRIPT_FORMATS).default('text'), operationId: z.string().max(128).optional() });

export const v3TranscriptEmailBody = z.object({
  operationId: z.string().max(128).optional(),
  data: z.object({ email: nameText(254) }),
});
