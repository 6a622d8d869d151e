// The site icon manifest as renderers see it: every size readers ask for, at hashed root-relative paths.
import { describe, expect, it } from "vitest";
import { iconOfSize, SITE_ICONS } from "../src/render/icons.ts";

const HASHED_PNG = /^\/icons\/icon-(\d+)\.[0-9a-f]{10}\.png$/;

describe("SITE_ICONS", () => {
  it("has a PNG of every size readers ask for, largest first", () => {
    expect(SITE_ICONS.png.map((icon) => icon.size)).toEqual([512, 192, 144, 64, 32]);
  });

  it("names every PNG after its size and hash, under /icons/", () => {
    for (const icon of [...SITE_ICONS.png, SITE_ICONS.appleTouch]) {
      expect(icon.path).toMatch(HASHED_PNG);
      expect(icon.path.match(HASHED_PNG)?.[1]).toBe(String(icon.size));
    }
  });

  it("has a 180 px apple-touch-icon apart from the transparent PNGs", () => {
    expect(SITE_ICONS.appleTouch.size).toBe(180);
    expect(SITE_ICONS.png.map((icon) => icon.path)).not.toContain(SITE_ICONS.appleTouch.path);
  });

  it("names the SVG after its hash, under /icons/", () => {
    expect(SITE_ICONS.svg).toMatch(/^\/icons\/icon\.[0-9a-f]{10}\.svg$/);
  });

  it("cannot be changed by the code that reads it", () => {
    expect(Object.isFrozen(SITE_ICONS)).toBe(true);
    expect(Object.isFrozen(SITE_ICONS.png)).toBe(true);
    expect(SITE_ICONS.png.every(Object.isFrozen)).toBe(true);
    expect(Object.isFrozen(SITE_ICONS.appleTouch)).toBe(true);
  });
});

describe("iconOfSize", () => {
  it("gives the smallest PNG at least that size", () => {
    expect(iconOfSize(512).size).toBe(512);
    expect(iconOfSize(144).size).toBe(144);
    expect(iconOfSize(100).size).toBe(144);
    expect(iconOfSize(64).size).toBe(64);
    expect(iconOfSize(1).size).toBe(32);
  });

  it("refuses a size larger than any PNG", () => {
    expect(() => iconOfSize(513)).toThrow(RangeError);
  });
});
