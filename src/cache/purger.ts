// The one seam to Workers Cache purges. In production the Worker's default entrypoint purges
// (purges are scoped to the entrypoint that cached the responses); tests put a recorder here.

export interface PurgeOutcome {
  success: boolean;
  errors: { code: number; message: string }[];
}

export interface Purger {
  purge(tags: string[]): Promise<PurgeOutcome>;
}

/** `ctx.cache.purge` when the runtime has Workers Cache, otherwise a logged no-op. */
export function edgePurger(ctx: { cache?: CacheContext | undefined }): Purger {
  return {
    async purge(tags) {
      if (!ctx.cache) {
        console.log("cache purge skipped: no Workers Cache in this runtime", { tags: tags.length });
        return { success: true, errors: [] };
      }
      const result = await ctx.cache.purge({ tags });
      return { success: result.success, errors: result.errors.map((e) => ({ code: e.code, message: e.message })) };
    },
  };
}
