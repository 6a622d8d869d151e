// The pages as a reader's browser shows them: Debian's Chromium, driven by playwright-core,
// against the built Worker served locally. Screenshots go to test/artifacts/ for people to look at.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { mf2 } from "microformats-parser";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN } from "../runtime/site.ts";
import { type LocalSite, ROOT, SEED_SLUG, seedInput, startSite } from "./worker.ts";

const CHROMIUM = "/usr/bin/chromium";
const AXE = join(ROOT, "node_modules", "axe-core", "axe.min.js");
const ARTIFACTS = join(ROOT, "test", "artifacts");

const SEED_TITLE = "ISIS-K, which claimed the Crocus City Hall attack, and its long hostility to Russia";
const ARTICLE = `/articles/${SEED_SLUG}`;
/** Every kind of page, and the status each must answer with. */
const PAGES = [
  { name: "home", path: "/", status: 200 },
  { name: "article", path: ARTICLE, status: 200 },
  { name: "tag", path: "/tags/afghanistan", status: 200 },
  { name: "feeds", path: "/feeds", status: 200 },
  { name: "gone", path: "/articles/withdrawn-report", status: 410 },
  { name: "not-found", path: "/no/such/page", status: 404 },
] as const;
const SCHEMES = ["light", "dark"] as const;

let site: LocalSite | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the browser tests need Debian's package: ` +
        "apt-get update && apt-get install -y chromium (as .ci/run does). No browser is downloaded.",
    );
  }
  // Two per page, so three articles give the home page a second page and its pager.
  site = await startSite({ FEED_PAGE_SIZE: "2" });
  const seed = seedInput();
  await site.put(seed.slug, seed.input);
  await site.put("kabul-airport-three-years-on", {
    title: "Kabul airport, three years on",
    summary: "What changed at the gate where the evacuation ended.",
    content: "The airport reopened to civilian flights in 2022.\n\n## Who runs it\n\nA consortium of regional firms.",
    publishedAt: "2024-05-10T08:00:00Z",
    updatedAt: "2024-05-12T09:30:00Z",
    authors: [{ name: "Amina Rahimi", url: "https://rahimi.example/" }, { name: "Tom Berg" }],
    tags: ["Afghanistan"],
  });
  await site.put("ein-bericht-aus-berlin", {
    title: "Ein Bericht aus Berlin",
    content: "Die Lage ist ruhig.",
    publishedAt: "2024-04-01T07:00:00Z",
    language: "de",
    tags: ["Europe"],
  });
  await site.put("withdrawn-report", {
    title: "Withdrawn",
    content: "Soon gone.",
    publishedAt: "2024-03-01T07:00:00Z",
  });
  await site.settled();
  const removed = await fetch(`${site.origin}/api/articles/withdrawn-report`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (removed.status !== 204) throw new Error(`DELETE answered ${removed.status}`);
  await site.settled();
  // A fresh temporary profile every launch; no network beyond the local Worker.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

function ready(): { site: LocalSite; browser: Browser } {
  if (!site || !browser) throw new Error("the local site or the browser did not start");
  return { site, browser };
}

async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const { site, browser } = ready();
  return browser.newContext({ baseURL: site.origin, ...options });
}

/**
 * Records what a reader would count as broken: console errors, script errors, requests that
 * fail or answer an error (other than the page's own expected status), and CSP violations.
 */
async function watch(page: Page, expectedStatus: Record<string, number> = {}): Promise<string[]> {
  const problems: string[] = [];
  // Runs outside the page's CSP (it is injected by the browser, not loaded by the page).
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    // Chromium reports a document's own error status on the console; that status is asserted.
    if (message.text().startsWith("Failed to load resource") && url in expectedStatus) return;
    problems.push(`console: ${message.text()} (${url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    const expected = expectedStatus[response.url()] ?? 200;
    if (response.status() >= 400 && response.status() !== expected) {
      problems.push(`${response.status()}: ${response.url()}`);
    }
  });
  return problems;
}

describe("the site in Chromium", () => {
  it("lists the seed article on the home page, and its link opens it", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const problems = await watch(page);
    await page.goto("/");
    const link = page.getByRole("link", { name: SEED_TITLE });
    await expect(link.count()).resolves.toBe(1);
    await link.click();
    await page.waitForURL(`**${ARTICLE}`);
    await expect(page.locator("h1").textContent()).resolves.toBe(SEED_TITLE);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the article's heading, subheading and blockquote", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(ARTICLE);
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("en");
    await expect(page.locator("h1").allTextContents()).resolves.toEqual([SEED_TITLE]);
    const subheading = page.getByRole("heading", { level: 2, name: "The Goal Of ISIS-K" });
    await expect(subheading.isVisible()).resolves.toBe(true);
    const quote = page.locator("main blockquote");
    await expect(quote.isVisible()).resolves.toBe(true);
    await expect(quote.textContent()).resolves.toContain("Russian foreign policy has been one big red flag for ISIS");
    await expect(page.locator("main time").first().textContent()).resolves.toBe("May 17, 2024");
    await context.close();
  });

  it("loads every page with its stylesheet under the CSP, with no errors, failed requests or violations", async () => {
    const { site } = ready();
    const context = await newContext();
    for (const { path, status } of PAGES) {
      const page = await context.newPage();
      const problems = await watch(page, { [`${site.origin}${path}`]: status });
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(status);
      expect(response?.headers()["content-security-policy"], path).toContain("style-src 'self'");
      const styled = await page.evaluate(() => ({
        sheets: document.styleSheets.length,
        rules: document.styleSheets[0]?.cssRules.length ?? 0,
        font: getComputedStyle(document.body).fontFamily,
      }));
      expect(styled.sheets, path).toBe(1);
      expect(styled.rules, path).toBeGreaterThan(20);
      expect(styled.font, path).toContain("Charter");
      expect(problems, path).toEqual([]);
      await page.close();
    }
    await context.close();
  });

  it("passes axe with no violations on every page, light and dark", async () => {
    for (const colorScheme of SCHEMES) {
      // CSP would stop the injected axe script; this context exists only for the audit.
      const context = await newContext({ bypassCSP: true, colorScheme });
      const page = await context.newPage();
      for (const { path } of PAGES) {
        await page.goto(path);
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () => {
          const axe = (
            window as unknown as {
              axe: { run: () => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
            }
          ).axe;
          const result = await axe.run();
          return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(" ")}`);
        });
        expect(violations, `${path} (${colorScheme})`).toEqual([]);
      }
      await context.close();
    }
  });

  it("fits phone and desktop widths in both themes, and saves screenshots of each", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const backgrounds = new Set<string>();
    for (const width of [375, 1280]) {
      for (const colorScheme of SCHEMES) {
        const context = await newContext({ viewport: { width, height: 900 }, colorScheme });
        const page = await context.newPage();
        for (const { name, path } of PAGES) {
          await page.goto(path);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, `${path} at ${width}px`).toBeLessThanOrEqual(0);
          backgrounds.add(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
          await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}-${colorScheme}.png`), fullPage: true });
        }
        await context.close();
      }
    }
    // One background per theme: the dark theme really is a different one.
    expect(backgrounds.size).toBe(2);
  });

  it("has no horizontal scrolling at 320 px, and keeps lines near 70 characters at 1440 px", async () => {
    const narrow = await newContext({ viewport: { width: 320, height: 800 } });
    const phone = await narrow.newPage();
    for (const { path } of PAGES) {
      await phone.goto(path);
      const overflow = await phone.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await narrow.close();

    const wide = await newContext({ viewport: { width: 1440, height: 900 } });
    const desktop = await wide.newPage();
    await desktop.goto(ARTICLE);
    const characters = await desktop.evaluate(() => {
      const paragraph = document.querySelector("main .content p") as HTMLElement;
      // The width of "0" is CSS's `ch`; kept on one line so the probe measures only itself.
      const probe = document.createElement("span");
      probe.textContent = "0".repeat(10);
      probe.style.whiteSpace = "nowrap";
      paragraph.append(probe);
      const perCharacter = probe.getBoundingClientRect().width / 10;
      probe.remove();
      return paragraph.getBoundingClientRect().width / perCharacter;
    });
    expect(characters).toBeGreaterThan(45);
    expect(characters).toBeLessThanOrEqual(72);
    await wide.close();
  });

  it("shows where keyboard focus is", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto("/");
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const box = el.getBoundingClientRect();
      return { text: el.textContent, outline: getComputedStyle(el).outlineStyle, top: box.top };
    });
    expect(skip).toMatchObject({ text: "Skip to content", outline: "solid" });
    expect(skip.top).toBeGreaterThanOrEqual(0);
    await page.keyboard.press("Tab");
    const next = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return {
        text: el.textContent,
        outline: getComputedStyle(el).outlineStyle,
        width: getComputedStyle(el).outlineWidth,
      };
    });
    expect(next).toEqual({ text: "World Brief", outline: "solid", width: "3px" });
    await context.close();
  });

  it("prints the article without navigation, pager or feed links", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(ARTICLE);
    await page.emulateMedia({ media: "print" });
    const shown = await page.evaluate(() =>
      [".site-footer", ".tags", ".content"].map(
        (selector) => getComputedStyle(document.querySelector(selector) as Element).display,
      ),
    );
    expect(shown).toEqual(["none", "none", "block"]);
    await context.close();
  });
});

describe("the pages' markup, as machines read it", () => {
  async function html(path: string): Promise<string> {
    const { site } = ready();
    const response = await fetch(`${site.origin}${path}`);
    expect(response.status).toBe(200);
    return response.text();
  }

  type Mf2Item = { type: string[]; properties: Record<string, unknown[]>; children?: Mf2Item[] };

  it("gives IndieWeb readers an h-feed of h-entries on the home page", async () => {
    const { site } = ready();
    const parsed = mf2(await html("/"), { baseUrl: `${site.origin}/` }) as {
      items: Mf2Item[];
      rels: Record<string, string[]>;
    };
    const feed = parsed.items.find((item) => item.type.includes("h-feed"));
    expect(feed?.properties.name).toEqual(["World Brief"]);
    const entries = feed?.children?.filter((child) => child.type.includes("h-entry")) ?? [];
    expect(entries.length).toBe(2);
    expect(entries[0]?.properties).toMatchObject({
      name: [SEED_TITLE],
      url: [`${site.origin}${ARTICLE}`],
      published: ["2024-05-17T00:00:00Z"],
      category: ["Russia", "ISIS-K", "Afghanistan", "Terrorism"],
    });
    expect(entries[0]?.properties.summary?.[0]).toMatch(/^The Islamic State in Khorasan Province/);
    expect(entries[1]?.properties).toMatchObject({
      name: ["Kabul airport, three years on"],
      published: ["2024-05-10T08:00:00Z"],
      updated: ["2024-05-12T09:30:00Z"],
      author: [
        { type: ["h-card"], properties: { name: ["Amina Rahimi"], url: ["https://rahimi.example/"] } },
        { type: ["h-card"], properties: { name: ["Tom Berg"] } },
      ],
    });
    expect(parsed.rels.next).toEqual([`${site.origin}/?page=2`]);
  });

  it("marks the article page up as one h-entry with its author, content and categories", async () => {
    const { site } = ready();
    const parsed = mf2(await html(ARTICLE), { baseUrl: `${site.origin}${ARTICLE}` }) as { items: Mf2Item[] };
    const entries = parsed.items.filter((item) => item.type.includes("h-entry"));
    expect(entries.length).toBe(1);
    const entry = entries[0] as Mf2Item;
    expect(entry.properties).toMatchObject({
      name: [SEED_TITLE],
      url: [`${site.origin}${ARTICLE}`],
      published: ["2024-05-17T00:00:00Z"],
      author: [{ type: ["h-card"], properties: { name: ["World Brief Editors"] } }],
      category: ["Russia", "ISIS-K", "Afghanistan", "Terrorism"],
    });
    const content = entry.properties.content?.[0] as { html: string; value: string };
    expect(content.html).toContain("<h2>The Goal Of ISIS-K</h2>");
    expect(content.html).toContain("<blockquote>");
  });

  it("describes the article in JSON-LD as a NewsArticle", async () => {
    const { site } = ready();
    const page = await html(ARTICLE);
    const blocks = [...page.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map(
      (m) => m[1] ?? "",
    );
    expect(blocks.length).toBe(1);
    const data = JSON.parse(blocks[0] as string);
    expect(data).toMatchObject({
      "@context": "https://schema.org",
      "@type": "NewsArticle",
      headline: SEED_TITLE,
      datePublished: "2024-05-17T00:00:00Z",
      dateModified: "2024-05-17T00:00:00Z",
      inLanguage: "en",
      url: `${site.origin}${ARTICLE}`,
      author: [{ "@type": "Organization", name: "World Brief Editors" }],
    });
  });

  it("writes a German article's date in German", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto("/articles/ein-bericht-aus-berlin");
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("de");
    await expect(page.locator("main time").textContent()).resolves.toBe("1. April 2024");
    await expect(page.locator("main time").getAttribute("datetime")).resolves.toBe("2024-04-01T07:00:00Z");
    await context.close();
  });
});
