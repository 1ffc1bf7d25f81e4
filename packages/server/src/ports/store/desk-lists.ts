export interface CannedResponse {
  id: string;
  title: string;
  text: string;
}

export interface WrapUpCode {
  code: string;
  label: string;
}

/**
 * The agent desktop's lists: canned responses and wrap-up codes.
 * Contract: canned responses are listed by title, codes by code, in byte order; deletes are true
 * when a row was deleted; `upsertWrapUpCode` replaces the label of an existing code.
 */
export interface DeskListStore {
  listCannedResponses(): Promise<CannedResponse[]>;
  insertCannedResponse(c: CannedResponse): Promise<void>;
  deleteCannedResponse(id: string): Promise<boolean>;
  listWrapUpCodes(): Promise<WrapUpCode[]>;
  upsertWrapUpCode(c: WrapUpCode): Promise<void>;
  deleteWrapUpCode(code: string): Promise<boolean>;
}
