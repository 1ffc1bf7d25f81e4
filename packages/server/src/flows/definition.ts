import { parse as parseYaml } from 'yaml';
import { hasControlChars, RICH_LIMITS, webUrl, type RichContent } from '@parley/protocol';
import { z } from 'zod';
import { compilePattern, patternMatches, PatternError } from './pattern.js';

/**
 * The flow format: a named set of steps, each doing one thing and naming the next.
 * Written as JSON or YAML; see docs/flows.md for the reference and a complete example.
 */
const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'step ids: letters, digits, _ and -');
const text = z.string().min(1).max(4000);

function refinePattern(source: string, ctx: z.RefinementCtx): void {
  try {
    compilePattern(source, false);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof PatternError ? err.message : 'not a valid pattern' });
  }
}

const intent = z
  .object({
    name: z.string().min(1).max(64),
    phrases: z.array(z.string().min(1).max(200)).max(200).default([]),
    regex: z.string().max(500).superRefine(refinePattern).optional(),
    next: stepId,
  })
  .refine((i) => i.phrases.length > 0 || i.regex, 'an intent needs phrases or a regex');

const promotion = z.object({
  title: z.string().min(1).max(500),
  options: z
    .array(z.union([z.object({ title: z.string().min(1).max(100), text: z.string().min(1).max(500) }), z.object({ title: z.string().min(1).max(100), url: webUrl })]))
    .max(5)
    .default([]),
});

export const stepSchema = z.union([
  z.object({ say: text, notice: z.boolean().default(false), next: stepId.optional() }).strict(),
  z
    .object({
      ask: text,
      save: z
        .string()
        .regex(/^[A-Za-z0-9_]{1,64}$/)
        .optional(),
      /** Skip the question when user data already holds `save` (e.g. the registration form sent it). */
      skipIfKnown: z.boolean().default(false),
      validate: z.string().max(500).superRefine(refinePattern).optional(),
      invalid: text.optional(),
      /** Sent as quick replies with the question (docs/rich-messages.md): the customer taps one, and its text comes back as the answer. */
      options: z
        .array(
          z
            .string()
            .trim()
            .min(1)
            .max(RICH_LIMITS.label)
            .refine((o) => !hasControlChars(o), 'options must not contain control characters'),
        )
        .min(1)
        .max(RICH_LIMITS.quickReplies)
        .optional(),
      intents: z.array(intent).max(50).default([]),
      fallback: stepId.optional(),
      next: stepId.optional(),
    })
    .strict(),
  z.object({ listen: z.literal(true), intents: z.array(intent).min(1).max(50), fallback: stepId }).strict(),
  z.object({ set: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), z.string().max(1000)), next: stepId }).strict(),
  z
    .object({
      route: z.object({
        queue: z.string().min(1).max(128),
        priority: z.number().int().min(0).max(10).default(0),
        skills: z.array(z.string()).default([]),
        language: z.string().nullable().default(null),
      }),
      say: text.optional(),
      positionUpdates: z.boolean().default(true),
      onAgentJoin: z.object({ promotion }).optional(),
    })
    .strict(),
  z
    .object({
      webhook: z.object({
        url: z.string().url(),
        secret: z.string().max(200).optional(),
        timeoutMs: z.number().int().min(100).max(30_000).default(5000),
        retries: z.number().int().min(0).max(5).default(2),
      }),
      fallback: stepId,
    })
    .strict(),
  z.object({ end: z.literal(true), say: text.optional() }).strict(),
  /** The satisfaction survey, asked by the flow: the question with 1-5 as quick replies, stored as the widget's survey is. */
  z.object({ survey: text, thanks: text.optional(), next: stepId.optional() }).strict(),
]);

export const flowSchema = z
  .object({
    id: z.string().min(1).max(64),
    start: stepId,
    /** Where the journey resumes when a customer leaves the agent (seed 004). */
    resume: stepId.optional(),
    /** What the customer types (or clicks) to leave the agent and go back to the bot. */
    backToBotPhrase: z.string().min(1).max(200).default('talk to bot'),
    botName: z.string().min(1).max(64).default('Parley Bot'),
    steps: z.record(stepId, stepSchema),
  })
  .superRefine((flow, ctx) => {
    const ids = new Set(Object.keys(flow.steps));
    const check = (id: string | undefined, where: string) => {
      if (id !== undefined && !ids.has(id)) ctx.addIssue({ code: 'custom', message: `${where} names step "${id}", which does not exist` });
    };
    check(flow.start, 'start');
    check(flow.resume, 'resume');
    for (const [id, step] of Object.entries(flow.steps)) {
      const s = step as Record<string, any>;
      check(s.next, `step ${id}: next`);
      check(s.fallback, `step ${id}: fallback`);
      for (const i of s.intents ?? []) check(i.next, `step ${id}: intent ${i.name}`);
    }
  });

export type Flow = z.infer<typeof flowSchema>;
export type Step = z.infer<typeof stepSchema>;

export class FlowFormatError extends Error {}

/** Reads a flow from JSON or YAML text (or an already-parsed object) and checks it whole. */
export function parseFlow(input: string | unknown): Flow {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = input.trimStart().startsWith('{') ? JSON.parse(input) : parseYaml(input);
    } catch (err) {
      throw new FlowFormatError(`the flow is not valid JSON or YAML: ${(err as Error).message}`);
    }
  }
  const r = flowSchema.safeParse(raw);
  if (!r.success) throw new FlowFormatError(`invalid flow: ${r.error.issues.map((i) => `${i.path.join('.') || 'flow'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Which intent a customer's text matches: phrases compare whole, case- and space-insensitively; regexes search. */
export function matchIntent<I extends { name: string; phrases: string[]; regex?: string; next: string }>(intents: I[], text: string): I | null {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[\s.!?,;:]+/g, ' ')
      .trim();
  const said = norm(text);
  for (const i of intents) {
    if (i.phrases.some((p) => norm(p) === said)) return i;
    if (i.regex && patternMatches(i.regex, text, true)) return i;
  }
  return null;
}

/** What a question's message carries besides its text: its options as quick replies (docs/rich-messages.md). */
export function questionExtra(step: Step): { data?: { rich: RichContent } } {
  const options = 'survey' in step ? SURVEY_RATINGS : 'ask' in step ? step.options : undefined;
  if (!options?.length) return {};
  return { data: { rich: { kind: 'quickReplies', replies: options.map((text) => ({ text })) } } };
}

/** A `survey` step's answers, its quick replies. */
export const SURVEY_RATINGS = ['1', '2', '3', '4', '5'];

/** The rating a `survey` step's answer gives (a tapped quick reply, or the digit typed), or null. */
export function surveyRating(answer: string): number | null {
  const m = /^\s*([1-5])\s*$/.exec(answer);
  return m ? Number(m[1]) : null;
}
