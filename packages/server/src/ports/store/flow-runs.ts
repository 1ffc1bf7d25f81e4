export interface FlowRun {
  sessionId: string;
  interactionId: string;
  step: string;
  /** What the run waits for before going on. */
  waiting: 'answer' | 'bot' | null;
  vars: Record<string, string>;
  /** Position (numeric index) of the last message the run consumed. */
  lastIndexNum: number;
  updatedAt: string;
}

/** Built-in flow runs (flows/engine). Contract: at most one per session (`putFlowRun` replaces it); a run needs its session. */
export interface FlowRunStore {
  getFlowRun(sessionId: string): Promise<FlowRun | null>;
  putFlowRun(run: FlowRun): Promise<void>;
  deleteFlowRun(sessionId: string): Promise<void>;
}
