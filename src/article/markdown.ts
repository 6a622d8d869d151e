// Markdown → sanitised HTML, run once when an article is stored (API and publish command alike):
// marked renders it, parse5 builds the HTML5 tree a browser would (character references decoded,
// tags balanced, misnesting resolved), html-policy.ts prunes it, and it is written back in a form
// that parses to the same tree again.
import { decodeHTML } from "entities";
import { escapeAttribute } from "entities/escape";
import { Marked } from "marked";
import { type DefaultTreeAdapterTypes as Dom, defaultTreeAdapter, html, parseFragment } from "parse5";
import {
  type AttributeRule,
  articleBase,
  CLASS_NAME,
  DROPPED,
  ELEMENTS,
  resolveContentUrl,
  ruleFor,
} from "./html-policy.ts";

const marked = new Marked({ gfm: true, async: false });

/** HTML character references → characters, as a browser reads text (all 2,231 names). */
export function decodeCharacterReferences(value: string): string {
  return decodeHTML(value);
}

/**
 * Turns an article's Markdown into HTML that is safe to embed in a page or a feed: what marked
 * renders, pruned to html-policy.ts as a browser would parse it, with URLs checked and relative
 * ones resolved against `/articles/<slug>`.
 */
export function renderMarkdown(markdown: string, slug: string): string {
  return sanitizeHtml(marked.parse(markdown) as string, articleBase(slug));
}

/** Article HTML is shown inside a `<div>`, on the page and in readers, so it is parsed as one's content. */
const CONTEXT = defaultTreeAdapter.createElement("div", html.NS.HTML, []);

/**
 * Passes before giving up. Removing or unwrapping an element can leave a tree the parser would
 * build differently (`<h1><x-tag><h2>` unwrapped is `<h1><h2>`, which parses as two siblings), so
 * the output is parsed and pruned again until a pass changes nothing. Plain Markdown settles in
 * one pass (see escapeHtml), most raw HTML in two; tag soup has not needed more than three.
 */
const MAX_PASSES = 5;

/**
 * Sanitises `input` until it is a fixed point: parsing the result and applying the policy gives
 * back the result, so a browser builds exactly the tree that was checked. Relative URLs are
 * resolved against `base` (see articleBase).
 */
export function sanitizeHtml(input: string, base: string): string {
  let current = input;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = sanitizeOnce(current, base);
    // Whitespace at either end of a serialised fragment is loose text, so trimming keeps it fixed.
    if (next === current) return next.trim();
    current = next;
  }
  throw new Error(`article HTML still changed after ${MAX_PASSES} sanitising passes`);
}

function sanitizeOnce(input: string, base: string): string {
  const fragment = parseFragment(CONTEXT, input, {});
  pruneTree(fragment, base);
  return serializeTree(fragment);
}

const isElement = (node: Dom.ChildNode): node is Dom.Element => "tagName" in node;

/** Keeps allowed elements (pruned attributes), drops DROPPED ones whole, unwraps the rest. */
function pruneTree(root: Dom.ParentNode, base: string): void {
  const parents: Dom.ParentNode[] = [root];
  for (let parent = parents.pop(); parent; parent = parents.pop()) {
    const kept: Dom.ChildNode[] = [];
    // A stack, so an unwrapped element's children are examined in its place.
    const todo = parent.childNodes.toReversed();
    for (let node = todo.pop(); node; node = todo.pop()) {
      if (node.nodeName === "#text") {
        kept.push(node);
        continue;
      }
      // Comments and doctypes go; so does SVG and MathML, with everything inside.
      if (!isElement(node) || node.namespaceURI !== html.NS.HTML || DROPPED.has(node.tagName)) continue;
      const allowed = Object.hasOwn(ELEMENTS, node.tagName) ? ELEMENTS[node.tagName] : undefined;
      if (allowed === undefined) {
        todo.push(...node.childNodes.toReversed());
        continue;
      }
      if (node.tagName === "input" && !isTaskBox(node)) continue;
      node.attrs = pruneAttributes(node, allowed, base);
      kept.push(node);
      parents.push(node);
    }
    for (const node of kept) node.parentNode = parent;
    parent.childNodes = kept;
  }
}

const isTaskBox = (input: Dom.Element) =>
  input.attrs.some((a) => a.name === "type" && a.value.toLowerCase() === "checkbox");

function pruneAttributes(element: Dom.Element, allowed: Record<string, AttributeRule>, base: string) {
  const attrs: Dom.Element["attrs"] = [];
  for (const { name, value } of element.attrs) {
    const rule = ruleFor(allowed, name);
    const checked = rule === undefined ? null : checkValue(rule, value, base);
    if (checked !== null) attrs.push({ name, value: checked });
  }
  // A task-list box is never a control, whatever the author wrote.
  if (element.tagName === "input" && !attrs.some((a) => a.name === "disabled")) {
    attrs.push({ name: "disabled", value: "" });
  }
  return attrs;
}

/** The value to store for an allowed attribute, or null to drop it. */
function checkValue(rule: AttributeRule, value: string, base: string): string | null {
  switch (rule) {
    case "link":
    case "image":
      return resolveContentUrl(value, base, rule);
    case "text":
      return value;
    case "boolean":
      return "";
    case "class": {
      const names = value.split(/[\t\n\f\r ]+/).filter((name) => name !== "");
      const kept = names.filter((name) => CLASS_NAME.test(name));
      if (kept.length === names.length) return value;
      return kept.length > 0 ? kept.join(" ") : null;
    }
    default:
      return rule.test(value) ? value : null;
  }
}

/**
 * Escapes text and attribute values alike: `&`, `<`, `>`, `"` and no-break spaces by the HTML
 * serialisation rules, and `'` as marked writes it, so that Markdown with no raw HTML, character
 * references or relative URLs comes out byte for byte as marked wrote it: one pass then proves
 * it settled. `"` in text matters besides: render/urls.ts rewrites `href="/…` by pattern.
 */
const escapeHtml = (text: string) => escapeAttribute(text).replaceAll("'", "&#39;");

/** The void elements among ELEMENTS: written without an end tag. */
const VOID_ELEMENTS = new Set(["br", "col", "hr", "img", "input", "wbr"]);

/**
 * The HTML serialisation algorithm for the pruned tree (HTML elements and text, nothing else),
 * escaping with escapeHtml, and giving a `<pre>` whose text starts with a newline the extra one
 * the parser will eat, so the text survives a re-parse.
 */
function serializeTree(root: Dom.ParentNode): string {
  let out = "";
  const stack: { nodes: Dom.ChildNode[]; index: number; end: string }[] = [];
  let nodes = root.childNodes;
  let index = 0;
  for (;;) {
    const node = nodes[index++];
    if (node === undefined) {
      const parent = stack.pop();
      if (parent === undefined) return out;
      out += parent.end;
      ({ nodes, index } = parent);
    } else if (node.nodeName === "#text") {
      out += escapeHtml((node as Dom.TextNode).value);
    } else if (isElement(node)) {
      const name = node.tagName;
      out += `<${name}`;
      for (const a of node.attrs) out += ` ${a.name}="${escapeHtml(a.value)}"`;
      out += ">";
      if (VOID_ELEMENTS.has(name)) continue;
      const first = node.childNodes[0];
      if (name === "pre" && first?.nodeName === "#text" && (first as Dom.TextNode).value.startsWith("\n")) out += "\n";
      stack.push({ nodes, index, end: `</${name}>` });
      nodes = node.childNodes;
      index = 0;
    }
  }
}
