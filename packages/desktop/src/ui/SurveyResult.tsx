import { useEffect, useState } from 'preact/hooks';
import type { AgentSurvey } from '@parley/protocol';
import { useDesktop } from './context.js';

/** How long after the end the customer can still rate (the server answers ended sessions for 10 minutes). */
const ASK_FOR_MS = 11 * 60_000;
const EVERY_MS = 5_000;

/** The customer's rating of an ended chat, as soon as they give it. */
export function SurveyResult({ sessionId, ended }: { sessionId: string; ended: boolean }) {
  const [desktop] = useDesktop();
  const [survey, setSurvey] = useState<AgentSurvey | null | undefined>(undefined);
  useEffect(() => {
    if (!ended) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const until = Date.now() + ASK_FOR_MS;
    const again = () => {
      if (!stopped && Date.now() < until) timer = setTimeout(load, EVERY_MS);
    };
    const load = () =>
      desktop.api.survey(sessionId).then((r) => {
        if (stopped) return;
        setSurvey(r.survey);
        if (!r.survey) again();
      }, again);
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [sessionId, ended]);
  if (!ended) return null;
  return (
    <section class="survey-result" aria-labelledby={`survey-${sessionId}`} aria-live="polite">
      <h3 id={`survey-${sessionId}`}>Customer rating</h3>
      {survey ? (
        <>
          <p class="survey-rating">
            <strong>{survey.rating} / 5</strong>
          </p>
          {survey.comment && <p class="survey-comment">{survey.comment}</p>}
        </>
      ) : (
        <p class="muted">{survey === null ? 'Not rated yet.' : 'Loading…'}</p>
      )}
    </section>
  );
}
