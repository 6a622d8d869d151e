// The CommonMark spec's own examples through renderMarkdown: wherever marked alone renders an
// example as the spec expects, the stored HTML is the same, but for the differences listed (and
// reasoned) in fixtures/commonmark/differences.ts; and every stored result is a fixed point.
import spec from "commonmark-spec/spec.txt?raw";
import { Marked } from "marked";
import { defaultTreeAdapter, html, parseFragment, serialize } from "parse5";
import { describe, expect, it } from "vitest";
import { articleBase } from "../src/article/html-policy.ts";
import { renderMarkdown, sanitizeHtml } from "../src/article/markdown.ts";
import { DIFFERENCES } from "./fixtures/commonmark/differences.ts";
import { normalizeHtml } from "./fixtures/commonmark/normalize.ts";

const SLUG = "spec";
const BASE = articleBase(SLUG);

interface Example {
  number: number;
  section: string;
  markdown: string;
  html: string;
}

/** The examples as the package's own index.js finds them; `→` stands for a tab, as in its runners. */
function extractExamples(text: string): Example[] {
  const examples: Example[] = [];
  let section = "";
  const body = text.replace(/\r\n?/g, "\n").replace(/^<!-- END TESTS -->[\s\S]*/m, "");
  for (const m of body.matchAll(/^`{32} example\n([\s\S]*?)^\.\n([\s\S]*?)^`{32}$|^#{1,6} *(.*)$/gm)) {
    if (m[3] !== undefined) section = m[3];
    else {
      const [markdown, expected] = [m[1] as string, m[2] as string].map((s) => s.replaceAll("→", "\t"));
      examples.push({ number: examples.length + 1, section, markdown: markdown as string, html: expected as string });
    }
  }
  return examples;
}

const examples = extractExamples(spec);
const marked = new Marked({ gfm: true, async: false });
const normalize = (htmlText: string) => normalizeHtml(htmlText, BASE);

/** What a browser builds from marked's output, written back: the `browser` difference alone. */
function asBrowserParses(htmlText: string): string {
  return serialize(parseFragment(defaultTreeAdapter.createElement("div", html.NS.HTML, []), htmlText, {}));
}

const rendered = examples.map((example) => {
  const byMarked = marked.parse(example.markdown) as string;
  return {
    ...example,
    byMarked,
    markedIsRight: normalize(byMarked) === normalize(example.html),
    stored: renderMarkdown(example.markdown, SLUG),
  };
});
const rightByMarked = rendered.filter((r) => r.markedIsRight);
const differing = rightByMarked.filter((r) => normalize(r.stored) !== normalize(r.byMarked));

describe("the CommonMark spec's examples", () => {
  it("are all read from commonmark-spec 0.31.2", () => {
    expect(examples).toHaveLength(652);
    expect(examples.at(-1)?.section).toBe("Textual content");
  });

  it("are stored as marked renders them wherever marked is right, but for the listed differences", () => {
    const byteForByte = rightByMarked.filter((r) => r.stored === r.byMarked.trim()).length;
    console.info(
      `CommonMark ${examples.length} examples: marked right on ${rightByMarked.length}; ` +
        `stored identically ${rightByMarked.length - differing.length} (${byteForByte} byte for byte), ` +
        `listed differences ${differing.length}`,
    );
    const unexpected = differing
      .filter((r) => !(r.number in DIFFERENCES))
      .map((r) => `#${r.number} (${r.section})\n  marked: ${normalize(r.byMarked)}\n  stored: ${normalize(r.stored)}`);
    expect(unexpected.join("\n")).toBe("");
    // A listed difference that no longer happens leaves the list.
    expect(differing.map((r) => r.number)).toEqual(Object.keys(DIFFERENCES).map(Number));
  });

  it("differ, where only the browser's tree building is the reason, exactly as a browser would", () => {
    const browserOnly = differing.filter((r) => DIFFERENCES[r.number]?.join() === "browser");
    expect(browserOnly.length).toBeGreaterThan(20);
    for (const r of browserOnly) {
      expect(normalize(r.stored), `#${r.number}`).toBe(normalize(asBrowserParses(r.byMarked)));
    }
  });

  it("keep code languages, titles and URLs with references as marked renders them", () => {
    const byNumber = (n: number) => rendered[n - 1]?.stored;
    // Example 32: every named reference is decoded, the URL percent-encoded.
    expect(byNumber(32)).toBe('<p><a href="/f%C3%B6%C3%B6" title="föö">foo</a></p>');
    // Example 34: a code block language outside ASCII.
    expect(byNumber(34)).toBe('<pre><code class="language-föö">foo\n</code></pre>');
  });

  it("are stored as a fixed point: sanitising the stored HTML again changes nothing", () => {
    for (const r of rendered) expect(sanitizeHtml(r.stored, BASE), `#${r.number}`).toBe(r.stored);
  });

  it("store nothing executable, whatever marked made of them", () => {
    for (const r of rendered) {
      expect(r.stored, `#${r.number}`).not.toMatch(/<\s*(?:script|style|iframe|object|embed|form|textarea)\b/i);
      expect(r.stored, `#${r.number}`).not.toMatch(/\son[a-z]+\s*=|javascript:/i);
    }
  });
});
