// A KvLike over wrangler's `kv` commands, so `publish --remote` needs the wrangler login, not an
// admin token. Reads go through one listing snapshot; writes are buffered and sent in bulk.
import type { KvLike } from "../store/kv.ts";

export interface CommandResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `wrangler <args>`. When `file` is given, the runner writes it to a temporary file and
 * appends that file's path as the last argument (`kv bulk put <file>` takes its pairs that way).
 */
export type RunWrangler = (args: string[], file?: string) => Promise<CommandResult>;

interface ListedKey {
  name: string;
  metadata?: unknown;
}

type Written = { value: string; metadata?: unknown } | null;

export interface FlushReport {
  put: number;
  deleted: number;
}

export class WranglerCommandError extends Error {
  constructor(args: string[], result: CommandResult) {
    // Wrangler colours its errors even into a pipe.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
    const detail = (result.stderr || result.stdout).replace(/\u001b\[[0-9;]*m/g, "").trim();
    super(`wrangler ${args.join(" ")} failed${detail ? `:\n${detail}` : ""}`);
    this.name = "WranglerCommandError";
  }
}

// A missing key: remotely a failed HTTP 404, locally a success that prints this line.
const isRemoteNotFound = (result: CommandResult) => !result.ok && /\b404\b/.test(result.stderr);
const LOCAL_NOT_FOUND = /^Value not found\n?$/;

/**
 * The namespace bound as `binding`, as wrangler's `kv` commands reach it. `target` picks the
 * store: `["--remote"]` for the deployed namespace, `["--local"]` for wrangler's local state.
 *
 * The listing is taken once, on first use, and overlaid with this session's own writes: the
 * remote listing may lag writes by 60 s, and each command costs a process start.
 * Nothing reaches the namespace until `flush()`.
 */
export class WranglerKv implements KvLike {
  readonly #run: RunWrangler;
  readonly #scope: string[];
  #listing: Map<string, ListedKey> | null = null;
  readonly #values = new Map<string, string | null>();
  /** Every write of this session, sent or not: the namespace as we left it, whatever the listing says. */
  readonly #written = new Map<string, Written>();
  readonly #unsent = new Set<string>();

  constructor(run: RunWrangler, options: { binding: string; target: string[] }) {
    this.#run = run;
    this.#scope = ["--binding", options.binding, ...options.target];
  }

  async #wrangler(args: string[], file?: string): Promise<CommandResult> {
    const full = [...args, ...this.#scope];
    const result = await this.#run(full, file);
    if (!result.ok) throw new WranglerCommandError(full, result);
    return result;
  }

  async #snapshot(): Promise<Map<string, ListedKey>> {
    if (this.#listing) return this.#listing;
    const { stdout } = await this.#wrangler(["kv", "key", "list"]);
    let keys: unknown;
    try {
      keys = JSON.parse(stdout);
    } catch (error) {
      throw new Error(`wrangler kv key list printed something other than JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(keys) || !keys.every((k) => typeof (k as ListedKey)?.name === "string")) {
      throw new Error("wrangler kv key list printed an unexpected shape (want an array of { name })");
    }
    this.#listing = new Map(
      (keys as ListedKey[]).map((k) => [
        k.name,
        k.metadata === undefined ? { name: k.name } : { name: k.name, metadata: k.metadata },
      ]),
    );
    return this.#listing;
  }

  async get(key: string, _type: "text"): Promise<string | null> {
    const written = this.#written.get(key);
    if (written !== undefined) return written?.value ?? null;
    const known = this.#values.get(key);
    if (known !== undefined) return known;
    if (!(await this.#snapshot()).has(key)) return null;
    // Without --text wrangler writes the value's bytes unchanged (with it, it appends a newline).
    const args = ["kv", "key", "get", key, ...this.#scope];
    const result = await this.#run(args, undefined);
    let value: string | null;
    if (result.ok && !LOCAL_NOT_FOUND.test(result.stdout)) value = result.stdout;
    else if (result.ok || isRemoteNotFound(result)) value = null;
    else throw new WranglerCommandError(args, result);
    this.#values.set(key, value);
    return value;
  }

  async put(key: string, value: string, options?: { metadata?: unknown }): Promise<void> {
    this.#written.set(key, options?.metadata === undefined ? { value } : { value, metadata: options.metadata });
    this.#unsent.add(key);
  }

  async delete(key: string): Promise<void> {
    this.#written.set(key, null);
    this.#unsent.add(key);
  }

  async list(options: { prefix: string; cursor?: string | null }): Promise<{
    keys: { name: string; metadata?: unknown }[];
    list_complete: boolean;
  }> {
    const merged = new Map(await this.#snapshot());
    for (const [name, op] of this.#written) {
      if (op === null) merged.delete(name);
      else merged.set(name, op.metadata === undefined ? { name } : { name, metadata: op.metadata });
    }
    const keys = [...merged.values()]
      .filter((k) => k.name.startsWith(options.prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { keys, list_complete: true };
  }

  /**
   * Sends the buffered writes: one `kv bulk put` (wrangler splits it into API batches), then one
   * `kv bulk delete`. Deletes go last: the rewritten indexes stop naming a pruned article first.
   */
  async flush(): Promise<FlushReport> {
    const puts: { key: string; value: string; metadata?: unknown }[] = [];
    const deletes: string[] = [];
    for (const key of this.#unsent) {
      const op = this.#written.get(key);
      if (op === undefined) continue;
      if (op === null) deletes.push(key);
      else
        puts.push(
          op.metadata === undefined ? { key, value: op.value } : { key, value: op.value, metadata: op.metadata },
        );
    }
    if (puts.length > 0) await this.#wrangler(["kv", "bulk", "put"], JSON.stringify(puts));
    if (deletes.length > 0) await this.#wrangler(["kv", "bulk", "delete", "--force"], JSON.stringify(deletes));
    this.#unsent.clear();
    return { put: puts.length, deleted: deletes.length };
  }
}
