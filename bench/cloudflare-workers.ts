// What the built bundle imports from `cloudflare:workers`, for running it in Node: base classes
// that keep the context and env they are given, as workerd's do.

export class WorkerEntrypoint<E = unknown> {
  readonly ctx: unknown;
  readonly env: E;

  constructor(ctx: unknown, env: E) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class DurableObject<E = unknown> {
  readonly ctx: unknown;
  readonly env: E;

  constructor(ctx: unknown, env: E) {
    this.ctx = ctx;
    this.env = env;
  }
}
