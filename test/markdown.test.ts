// Markdown as publishers write it: what marked renders survives the sanitiser unless it is
// unsafe, raw HTML is kept by an allowlist, URLs by a scheme policy, and the result is a fixed point.
import fc from "fast-check";
import { Marked } from "marked";
import { describe, expect, it } from "vitest";
import { articleBase } from "../src/article/html-policy.ts";
import { decodeCharacterReferences, renderMarkdown, sanitizeHtml } from "../src/article/markdown.ts";
import { normalizeHtml } from "./fixtures/commonmark/normalize.ts";

const SLUG = "notes";
const BASE = articleBase(SLUG);
const render = (markdown: string) => renderMarkdown(markdown, SLUG);
const marked = new Marked({ gfm: true, async: false });

describe("renderMarkdown keeps what marked renders", () => {
  it("decodes every named character reference in a URL, as a browser does", () => {
    expect(render("[foo](/f&ouml;&ouml;)")).toBe('<p><a href="/f%C3%B6%C3%B6">foo</a></p>');
    expect(render('<a href="/caf&eacute;?q=a&amp;b&NotEqualTilde;">x</a>')).toBe(
      '<p><a href="/caf%C3%A9?q=a&amp;b%E2%89%82%CC%B8">x</a></p>',
    );
  });

  it("keeps a code block's language outside ASCII, and a multi-line link title", () => {
    expect(render("```föö\nx\n```")).toBe('<pre><code class="language-föö">x\n</code></pre>');
    expect(render('[a](/u "first\nsecond")')).toBe('<p><a href="/u" title="first\nsecond">a</a></p>');
  });

  it("keeps GFM whole: tables with alignment, strikethrough, task lists, autolinks", () => {
    const gfm = [
      "| left | centre | right |",
      "|:-----|:------:|------:|",
      "| a    | **b**  | `c`   |",
      "",
      "~~gone~~ and ~also~",
      "",
      "- [x] done",
      "- [ ] to do",
      "",
      "www.example.com and https://example.com/a?b=1&c=2 and ann@example.com",
    ].join("\n");
    const stored = render(gfm);
    expect(stored).toContain('<input checked="" disabled="" type="checkbox">');
    expect(stored).toContain('<th align="center">centre</th>');
    expect(normalizeHtml(stored, BASE)).toBe(normalizeHtml(marked.parse(gfm) as string, BASE));
  });

  it("stores the seed-like prose byte for byte as marked writes it", () => {
    const prose = "# Title\n\nSome *emphasis*, **strong** & `code`.\n\n> quoted\n\n1. one\n2. two\n\n---\n";
    expect(render(prose)).toBe((marked.parse(prose) as string).trim());
  });
});

describe("links and images", () => {
  const link = (url: string) => render(`[x](<${url}>)`);
  for (const url of [
    "https://example.com/",
    "http://example.com/",
    "mailto:ann@example.com",
    "tel:+441234567890",
    "sms:+441234567890",
    "xmpp:ann@example.com",
    "irc://irc.libera.chat/news",
    "ircs://irc.libera.chat/news",
    "geo:51.5,-0.12",
    "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a",
    "matrix:r/news:example.org",
    "webcal://example.com/cal.ics",
    "ftp://ftp.example.com/file",
  ]) {
    it(`keeps a ${url.split(":")[0]}: link`, () => expect(link(url)).toMatch(/^<p><a href="[^"]+">x<\/a><\/p>$/));
  }
  for (const url of [
    "javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "blob:https://example.com/uuid",
    "file:///etc/passwd",
    "made-up-scheme://foo",
  ]) {
    it(`removes the href of a ${url.split(":")[0]}: link, keeping its text`, () => {
      expect(link(url)).toBe("<p><a>x</a></p>");
    });
  }

  it("keeps http(s) images and no others: no data: images (the page's CSP would block them too)", () => {
    expect(render("![a](https://example.com/a.png)")).toBe('<p><img src="https://example.com/a.png" alt="a"></p>');
    expect(render("![a](data:image/png;base64,iVBORw0KGgo=)")).toBe('<p><img alt="a"></p>');
    expect(render("![a](mailto:ann@example.com)")).toBe('<p><img alt="a"></p>');
  });

  it("resolves relative URLs against the permalink and stores them root-relative", () => {
    expect(render("[a](other) [b](#part) [c](/about) [d](//cdn.example/x)")).toBe(
      '<p><a href="/articles/other">a</a> <a href="/articles/notes#part">b</a> <a href="/about">c</a> ' +
        '<a href="https://cdn.example/x">d</a></p>',
    );
  });
});

describe("raw HTML", () => {
  const kept = [
    "<div>block</div>",
    "<details><summary>More</summary><p>hidden</p></details>",
    '<figure><img src="https://example.com/a.png" alt="a"><figcaption>Caption</figcaption></figure>',
    "<p>x<sup>2</sup> H<sub>2</sub>O <kbd>Ctrl</kbd> <mark>hi</mark> <small>fine</small></p>",
    '<p><abbr title="World Health Organization">WHO</abbr> <cite>Book</cite> <q cite="https://example.com/">said</q></p>',
    "<dl><dt>term</dt><dd>definition</dd></dl>",
    '<p><ins datetime="2024-05-17">new</ins><del>old</del> <time datetime="2024-05-17T09:00:00Z">today</time></p>',
    '<table><tbody><tr><td colspan="2" rowspan="3">cell</td><th scope="row">h</th></tr></tbody></table>',
    '<p class="note warning" lang="fr" dir="rtl" title="t">classed</p>',
    '<ol start="3" reversed=""><li value="7">x</li></ol>',
    "<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> <bdi>مرحبا</bdi> <var>x</var> <samp>out</samp><wbr></p>",
  ];
  for (const source of kept) {
    it(`keeps ${source.slice(0, 50)}…`, () => expect(render(source)).toBe(source));
  }

  const removed: [string, string, string][] = [
    ["scripts with their content", "<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"],
    ["styles and style attributes", '<style>p{}</style><p style="color:red">x</p>', "<p>x</p>"],
    ["event handlers", '<p onclick="alert(1)" onmouseover=x>x</p>', "<p>x</p>"],
    [
      "forms and their controls, keeping their text",
      "<form action=/x><label>Name <input name=n></label></form>",
      "Name",
    ],
    ["frames and plug-ins", '<iframe src="https://example.com/"></iframe><object data="x"></object>x', "x"],
    [
      "ids and names, which would clobber the reader's DOM",
      '<p id="location"><a name="top">x</a></p>',
      "<p><a>x</a></p>",
    ],
    ["comments", "<p>a<!-- hidden -->b</p>", "<p>ab</p>"],
    [
      "microformats classes that would pose as the page's h-entry",
      '<p class="h-card p-name u-url dt-x e-y k">x</p>',
      '<p class="k">x</p>',
    ],
    ["SVG and MathML with their content", "<p>a<svg><circle r=1 /></svg><math><mi>x</mi></math>b</p>", "<p>ab</p>"],
    [
      "unknown and custom elements, keeping their content",
      "<p><x-widget>in</x-widget><blink>on</blink></p>",
      "<p>inon</p>",
    ],
    [
      "an enabled or non-checkbox input",
      '<p><input type="text" value="x"><input type="checkbox"></p>',
      '<p><input type="checkbox" disabled=""></p>',
    ],
  ];
  for (const [what, source, stored] of removed) {
    it(`removes ${what}`, () => expect(render(source)).toBe(stored));
  }

  it("balances tags as a browser does, so content cannot leave its container", () => {
    expect(render("</div></article><h1>Outside</h1>")).toBe("<h1>Outside</h1>");
    expect(render("<div>\n*open*\n")).toBe("<div>\n*open*\n</div>");
    expect(render("<p><em>a<p>b")).toBe("<p><em>a</em></p><p><em>b</em></p>");
    expect(render("<table><tr><td>x</td></tr>stray</table>")).toBe(
      "stray<table><tbody><tr><td>x</td></tr></tbody></table>",
    );
  });

  it("drops everything after an element a browser never closes, as a browser would show it", () => {
    expect(render("Before\n\n<script>alert(1)\n\nAfter")).toBe("<p>Before</p>");
    expect(render("Before\n\n<textarea>\n\nAfter")).toBe("<p>Before</p>");
  });
});

describe("the sanitiser's output", () => {
  const soup = fc.constantFrom(
    ..."<p> </p> <div> </div> <h1> <h2> </h2> <a href=x> </a> <b> </b> <i> <em> </em> <table> <tr> <td> </td> <caption>".split(
      " ",
    ),
    ..."<ul> <li> </li> <ol> <dl> <dt> <dd> <pre> </pre> <code> <details> <summary> <ruby> <rt> <x-y> </x-y> <font>".split(
      " ",
    ),
    ..."<svg> <math> <mtext> <mglyph> <style> <script> <form> </form> <button> <select> <option> <object> <noscript>".split(
      " ",
    ),
    ...'<template> <textarea> <title> <xmp> <input\ttype=checkbox> <br> <hr> <!-- --> &amp; & " </'.split(" "),
    "<img src=x onerror=alert(1)>",
    "text",
    " ",
    "\n",
  );

  it("is a fixed point for any tag soup: sanitising it again changes nothing", () => {
    fc.assert(
      fc.property(fc.array(soup, { maxLength: 40 }), (parts) => {
        const once = sanitizeHtml(parts.join(""), BASE);
        expect(sanitizeHtml(once, BASE)).toBe(once);
        expect(once).not.toMatch(/<(?:script|style|svg|math|form|button|select|object|template|textarea)\b/);
        expect(once).not.toMatch(/<[^>]*\son[a-z]+=/);
      }),
      { numRuns: 2000 },
    );
  });

  it("comes back unchanged when it is already clean", () => {
    const stored = render("Some *text* with a [link](https://example.com/) and `code`.");
    expect(sanitizeHtml(stored, BASE)).toBe(stored);
  });
});

describe("decodeCharacterReferences", () => {
  it("decodes every reference HTML knows, as a browser reads text", () => {
    expect(
      decodeCharacterReferences("&CounterClockwiseContourIntegral; &ouml &notin; &#x1F389; &#169; &amp;amp;"),
    ).toBe("∳ ö ∉ 🎉 © &amp;");
    expect(decodeCharacterReferences("&unknown; & &#0; &#xD800;")).toBe("&unknown; & \ufffd \ufffd");
  });
});
