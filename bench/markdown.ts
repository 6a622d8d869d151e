// Write-time CPU in Node (the same V8 as workerd): renderMarkdown on the seed article and on
// raw-HTML-heavy Markdown, beside the previous xss-based implementation rendering the same input.
import { readFileSync } from "node:fs";
import { renderMarkdown } from "../src/article/markdown.ts";
import { renderMarkdown as renderWithXss } from "./reference/xss-markdown.ts";
import { compare, type Timing } from "./render.ts";

const SEED_URL = new URL("../content/isis-k-and-the-crocus-city-hall-attack.md", import.meta.url);

export interface MarkdownFigure {
  /** `seed`: the seed article's body; `raw-html`: Markdown full of allowed and hostile raw HTML. */
  input: "seed" | "raw-html";
  /** Size of the Markdown, in UTF-8 bytes. */
  markdownBytes: number;
  /** CPU per article of today's renderMarkdown (marked, then parse5 and the policy, until a pass changes nothing). */
  ours: Timing;
  /** The same for the previous renderMarkdown (marked, then xss and the hand-written balancer). */
  reference: Timing;
  /** ours / reference: above 1 means today's costs more per article. */
  ratio: number;
  /** Bytes of HTML each stored, to show they did comparable work. */
  oursHtmlBytes: number;
  referenceHtmlBytes: number;
}

/** The body of a content file: everything after its front matter. */
function bodyOf(file: string): string {
  const match = /^---\n[\s\S]*?\n---\n/.exec(file);
  if (!match) throw new Error("the seed article has no front matter");
  return file.slice(match[0].length);
}

/** A publisher's raw HTML beside Markdown: tables, details, figures, inline markup, hostile bits. */
function rawHtmlHeavy(sections: number): string {
  const section = (i: number) =>
    [
      `## Section ${i}`,
      "",
      `<div class="note"><p>Read <abbr title="World Health Organization">WHO</abbr> figures, <kbd>Ctrl</kbd>+<kbd>F</kbd>, x<sup>2</sup>, <mark>marked</mark>.</p></div>`,
      "",
      '<table><thead><tr><th scope="col">Year</th><th colspan="2">Deaths</th></tr></thead>',
      `<tbody><tr><td>20${10 + i}</td><td rowspan="2">${i * 7}</td><td><em>est.</em></td></tr></tbody></table>`,
      "",
      `<details><summary>Sources ${i}</summary><ul><li><a href="https://example.org/${i}?a=1&amp;b=2">Report</a></li><li><a href="../other-${i}">Earlier piece</a></li></ul></details>`,
      "",
      `<figure><img src="https://images.example/${i}.jpg" alt="Scene ${i}" width="640" height="360"><figcaption>Photo: <cite>Agency</cite></figcaption></figure>`,
      "",
      `<p onclick="alert(${i})" style="color:red" id="p${i}">Handlers, styles and ids go.<script>alert(${i})</script></p>`,
      "",
      `Text with *emphasis*, a [link](https://example.com/${i} "Title") and &ouml;&mdash;&hellip; references.`,
      "",
    ].join("\n");
  return Array.from({ length: sections }, (_, i) => section(i + 1)).join("\n");
}

const encoder = new TextEncoder();

/** Runs both implementations A B A B on each input; `budgetMs` per input. */
export async function benchMarkdown(budgetMs = 2000): Promise<MarkdownFigure[]> {
  const inputs: [MarkdownFigure["input"], string][] = [
    ["seed", bodyOf(readFileSync(SEED_URL, "utf8"))],
    ["raw-html", rawHtmlHeavy(12)],
  ];
  const figures: MarkdownFigure[] = [];
  for (const [input, markdown] of inputs) {
    const ours = () => renderMarkdown(markdown, "bench");
    const reference = () => renderWithXss(markdown, "bench");
    const timed = compare(ours, reference, budgetMs);
    figures.push({
      input,
      markdownBytes: encoder.encode(markdown).length,
      ours: timed.a,
      reference: timed.b,
      ratio: timed.ratio,
      oursHtmlBytes: encoder.encode(ours()).length,
      referenceHtmlBytes: encoder.encode(reference()).length,
    });
  }
  return figures;
}
