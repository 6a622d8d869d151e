// content/*.md → article input: YAML front matter for the fields, the Markdown body as content.
import { parse as parseYaml } from "yaml";
import type { FieldIssue, Parsed } from "../article/model.ts";
import { isSlug, SLUG_PATTERN } from "../article/model.ts";

export interface ContentFile {
  slug: string;
  /** The article as the publisher wrote it, not yet validated. */
  input: Record<string, unknown>;
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Reads one content file; the slug is its file name without `.md`. */
export function parseContentFile(fileName: string, text: string): Parsed<ContentFile> {
  const slug = fileName.replace(/^.*[\\/]/, "").replace(/\.md$/, "");
  const issues: FieldIssue[] = [];
  if (!isSlug(slug)) {
    issues.push({ path: "slug", message: `the file name must be a slug (${SLUG_PATTERN.source}) followed by .md` });
  }
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    issues.push({ path: "", message: "must start with YAML front matter between --- lines" });
    return { ok: false, issues };
  }
  let front: unknown;
  try {
    front = parseYaml(match[1] as string);
  } catch (error) {
    issues.push({ path: "", message: `front matter is not valid YAML: ${(error as Error).message}` });
    return { ok: false, issues };
  }
  if (typeof front !== "object" || front === null || Array.isArray(front)) {
    issues.push({ path: "", message: "front matter must be a mapping of fields" });
    return { ok: false, issues };
  }
  if ("content" in front)
    issues.push({ path: "content", message: "is the Markdown body below the front matter, not a field" });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { slug, input: { ...front, content: text.slice(match[0].length) } } };
}
