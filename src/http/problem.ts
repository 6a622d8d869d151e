// RFC 9457 problem details: every API error, and every error on a feed, reads the same way.
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldIssue } from "../article/model.ts";

export interface Problem {
  type?: string;
  title: string;
  status: ContentfulStatusCode;
  detail?: string;
  /** One entry per offending field. */
  errors?: FieldIssue[];
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  const body = { type: problem.type ?? "about:blank", ...problem };
  return new Response(`${JSON.stringify(body, null, 2)}\n`, {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

/** Thrown anywhere below a route; `onError` turns it into the problem+json response. */
export class ProblemError extends HTTPException {
  constructor(problem: Problem, headers: Record<string, string> = {}) {
    super(problem.status, { res: problemResponse(problem, headers), message: problem.title });
  }
}

/** KV failed to answer: the request may succeed if retried. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}
