// The icon files themselves, read from public/ in Node: real square PNGs of the sizes the manifest
// declares, a well-formed SVG, and outputs that are exactly what site/ makes.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { SITE_ICONS } from "../../src/render/icons.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function publicFile(path: string): Buffer {
  return readFileSync(join(ROOT, "public", path));
}

/** Colour type from the IHDR chunk: 2 is RGB, 6 is RGBA. */
function colourType(bytes: Buffer): number {
  return bytes.readUInt8(25);
}

describe("the icon files in public/", () => {
  for (const icon of [...SITE_ICONS.png, SITE_ICONS.appleTouch]) {
    it(`${icon.path} is a square PNG of ${icon.size} px`, () => {
      const bytes = publicFile(icon.path);
      expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const png = PNG.sync.read(bytes);
      expect([png.width, png.height]).toEqual([icon.size, icon.size]);
    });
  }

  it("keeps transparency in the PNGs but not in the apple-touch-icon", () => {
    for (const icon of SITE_ICONS.png) expect(colourType(publicFile(icon.path))).toBe(6);
    expect(colourType(publicFile(SITE_ICONS.appleTouch.path))).toBe(2);
  });

  it(`${SITE_ICONS.svg} is well-formed XML with a viewBox`, () => {
    const text = publicFile(SITE_ICONS.svg).toString("utf8");
    expect(XMLValidator.validate(text)).toBe(true);
    const svg = new XMLParser({ ignoreAttributes: false }).parse(text).svg;
    expect(svg?.["@_viewBox"]).toMatch(/^\s*-?[\d.]+([\s,]+-?[\d.]+){3}\s*$/);
  });

  it("are exactly what `npm run icons` makes from site/", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "scripts", "icons.ts"), "--check"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
