// Public XSS vectors through the sanitiser: the OWASP (RSnake) cheat-sheet list that the
// xss-filters package (Yahoo, BSD licence) ships as its fuzzer's seeds, and mutation-XSS shapes
// known from parser differentials. Nothing executable may survive, judged on the tree an HTML5
// parser builds from the stored HTML, and the stored HTML must be a fixed point.
import { type DefaultTreeAdapterTypes as Dom, defaultTreeAdapter, html, parseFragment } from "parse5";
import { describe, expect, it } from "vitest";
import seeds from "xss-filters/tests/fuzz/bin/seed.xss?raw";
import { articleBase } from "../src/article/html-policy.ts";
import { renderMarkdown, sanitizeHtml } from "../src/article/markdown.ts";

const BASE = articleBase("xss");
const CHEAT_SHEET = [...new Set(seeds.split("\n").filter((line) => line.trim() !== ""))];

/** Shapes from sanitiser bypasses (SVG/MathML namespace confusion, raw-text elements, clobbering). */
const MUTATIONS = [
  "<svg><style><img src=x onerror=alert(1)></style></svg>",
  '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
  '<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=alert(1) src>">',
  '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>"></path></textarea>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
  '<math href="javascript:alert(1)">x</math>',
  "<template><script>alert(1)</script></template><xmp><img src=x onerror=alert(1)></xmp>",
  "<title><img src=x onerror=alert(1)></title><textarea><img src=x onerror=alert(1)></textarea>",
  '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
  '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object><embed src="javascript:alert(1)">',
  '<base href="javascript:alert(1)//"><meta http-equiv="refresh" content="0;url=javascript:alert(1)"><link rel="import" href="x">',
  "<details open ontoggle=alert(1)><summary>x</summary></details>",
  '<a href="jav&#x09;ascript:alert(1)">a</a><a href="&#x6A;avascript:alert(1)">b</a><a href="javascript&colon;alert(1)">c</a>',
  '<a href=" &#14; javascript:alert(1)">d</a><a href="JAVASCRIPT:alert(1)">e</a><a href="data:text/html,<script>alert(1)</script>">f</a>',
  '<input type=checkbox onclick=alert(1) autofocus onfocus=alert(2)><button formaction="javascript:alert(1)">x</button>',
  '<img src=x onerror=alert(1)//<img src="x" alt="<img src=x onerror=alert(1)>">',
  '<img name="getElementById"><a id="defaultView" name="cookie">x</a><form id="location"></form>',
  '<div style="background:url(javascript:alert(1))" class="h-card p-author">x</div>',
  "[a](javascript:alert(1)) ![b](javascript:alert(1)) [c](<javascript:alert(1)>) <javascript:alert(1)>",
  "[d](vbscript:msgbox(1)) [e](JaVaScRiPt&#58;alert(1)) [f](data:text/html;base64,PHNjcmlwdD4=)",
  "[g]: javascript:alert(1)\n\n[g] ![h](data:image/svg+xml,<svg/onload=alert(1)>)",
  "<script>alert(1)",
];

const URL_ATTRIBUTES = /^(?:href|src|cite|action|formaction|data|poster|background|srcset|xlink:href|lowsrc|dynsrc)$/;
const FORBIDDEN_ELEMENTS = new Set(
  "script iframe object embed form style base meta link frame frameset applet template noscript svg math textarea select button".split(
    " ",
  ),
);

const isElement = (node: Dom.ChildNode): node is Dom.Element => "tagName" in node;

/** What a browser would run or load from `stored`, read from the tree parse5 builds from it. */
function executableIn(stored: string): string[] {
  const found: string[] = [];
  const fragment = parseFragment(defaultTreeAdapter.createElement("div", html.NS.HTML, []), stored, {});
  const todo: Dom.ChildNode[] = [...fragment.childNodes];
  for (let node = todo.pop(); node; node = todo.pop()) {
    if (node.nodeName === "#comment") found.push("comment");
    if (!isElement(node)) continue;
    todo.push(...node.childNodes);
    if (node.namespaceURI !== html.NS.HTML) found.push(`<${node.tagName}> in ${node.namespaceURI}`);
    if (FORBIDDEN_ELEMENTS.has(node.tagName)) found.push(`<${node.tagName}>`);
    if (node.tagName === "input" && !node.attrs.some((a) => a.name === "disabled")) found.push("enabled <input>");
    for (const { name, value } of node.attrs) {
      if (/^on/i.test(name) || name === "srcdoc" || name === "style") found.push(`${name}=`);
      if (name === "id" || name === "name") found.push(`${name}= (clobbering)`);
      // As a browser reads a URL: tabs, newlines and surrounding controls ignored, scheme folded.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop these from URLs
      const scheme = value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
      if (URL_ATTRIBUTES.test(name) && /^(?:javascript|vbscript|data|blob):/.test(scheme))
        found.push(`${name}=${value}`);
    }
  }
  // Belt and braces: the text itself, where every `<` of content must be escaped.
  if (/<\s*\/?\s*(?:script|iframe|object|embed|form|style|base|meta|link|svg|math)\b/i.test(stored))
    found.push("tag text");
  return found;
}

function expectHarmless(input: string, stored: string) {
  expect(executableIn(stored), JSON.stringify(input)).toEqual([]);
  expect(sanitizeHtml(stored, BASE), `fixed point for ${JSON.stringify(input)}`).toBe(stored);
}

describe("public XSS vectors", () => {
  it("are read from the xss-filters package: the OWASP cheat-sheet list", () => {
    expect(CHEAT_SHEET.length).toBeGreaterThan(150);
    expect(CHEAT_SHEET).toContain("<IMG SRC=\"javascript:alert('XSS');\">");
  });

  for (const [name, vectors] of [
    ["OWASP cheat sheet (xss-filters seeds)", CHEAT_SHEET],
    ["mutation-XSS shapes", MUTATIONS],
  ] as const) {
    describe(name, () => {
      it(`leave nothing executable as raw HTML (${vectors.length} vectors)`, () => {
        for (const vector of vectors) expectHarmless(vector, sanitizeHtml(vector, BASE));
      });

      it("leave nothing executable written in Markdown, alone or inside a paragraph", () => {
        for (const vector of vectors) {
          expectHarmless(vector, renderMarkdown(vector, "xss"));
          expectHarmless(vector, renderMarkdown(`Intro ${vector} outro`, "xss"));
          expectHarmless(vector, renderMarkdown(`- item\n\n  > ${vector}`, "xss"));
        }
      });
    });
  }

  it("are caught by the checker before sanitising, so its silence afterwards means something", () => {
    const caught = CHEAT_SHEET.filter((vector) => executableIn(vector).length > 0);
    console.info(`XSS: the checker flags ${caught.length} of ${CHEAT_SHEET.length} cheat-sheet vectors as written`);
    expect(caught.length).toBeGreaterThanOrEqual(70);
    const markdownOnly = MUTATIONS.filter((vector) => vector.startsWith("[") || vector.includes("]("));
    for (const vector of MUTATIONS) {
      if (!markdownOnly.includes(vector)) expect(executableIn(vector), vector).not.toEqual([]);
    }
  });

  it("keep the harmless part of a hostile snippet", () => {
    expect(renderMarkdown('<p onclick="alert(1)" class="h-card note">clickable</p>', "xss")).toBe(
      '<p class="note">clickable</p>',
    );
    expect(renderMarkdown("<details open ontoggle=alert(1)><summary>x</summary>y</details>", "xss")).toBe(
      '<details open=""><summary>x</summary>y</details>',
    );
    expect(renderMarkdown("<input type=checkbox checked onclick=alert(1)> done", "xss")).toBe(
      '<p><input type="checkbox" checked="" disabled=""> done</p>',
    );
  });
});
