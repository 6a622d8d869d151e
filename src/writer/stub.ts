// How the Worker reaches its one writer.
import type { Newsroom } from "./newsroom.ts";
import { NEWSROOM_NAME } from "./newsroom.ts";

export function newsroomOf(env: Env): DurableObjectStub<Newsroom> {
  return (env.NEWSROOM as unknown as DurableObjectNamespace<Newsroom>).getByName(NEWSROOM_NAME);
}
