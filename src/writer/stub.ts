// How the Worker reaches its one writer.
import type { Newsroom } from "./newsroom.ts";

/** The object's name: one writer per deployment (its KV namespace is the site). */
export const NEWSROOM_NAME = "site";

export function newsroomOf(env: Env): DurableObjectStub<Newsroom> {
  return (env.NEWSROOM as unknown as DurableObjectNamespace<Newsroom>).getByName(NEWSROOM_NAME);
}
