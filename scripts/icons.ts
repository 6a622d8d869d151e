// `npm run icons`: the publisher's site/icon.png and site/icon.svg → the hashed files in public/icons/,
// their headers in public/_headers and the manifest the renderers read (src/render/icon-manifest.ts).
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { constants as zlib } from "node:zlib";
import { XMLValidator } from "fast-xml-parser";
import { PNG } from "pngjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_PNG = "site/icon.png";
const SOURCE_SVG = "site/icon.svg";
const OUT_DIR = "public/icons";
const HEADERS = "public/_headers";
const MANIFEST = "src/render/icon-manifest.ts";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MIN_SOURCE = 512;
// Beyond this the float buffers grow past what an icon is worth; no output is larger than 512.
const MAX_SOURCE = 4096;
// 512: JSON Feed `icon`, web app manifests; 192: Android; 144: RSS <image> (width at most 144);
// 64: JSON Feed `favicon`; 32: the favicon.
const TRANSPARENT_SIZES = [512, 192, 144, 64, 32];
// apple-touch-icon, made opaque: iOS fills transparency with black.
const APPLE_TOUCH_SIZE = 180;
/** A file this script owns: every name carries the first 10 hex digits of its SHA-256. */
const HASHED_NAME = /^icon(-\d+)?\.[0-9a-f]{10}\.(png|svg)$/;

const HEADERS_BEGIN = "# icons: begin (written by `npm run icons`; the names carry their hash, so they never change)";
const HEADERS_END = "# icons: end";
const HEADERS_BLOCK = [
  HEADERS_BEGIN,
  "/icons/*",
  "  Cache-Control: public, max-age=31536000, immutable",
  "  X-Content-Type-Options: nosniff",
  "  Access-Control-Allow-Origin: *",
  HEADERS_END,
].join("\n");

const HELP = `Usage: npm run icons [-- --check]

Makes the site icon's files from ${SOURCE_PNG} (square, ${MIN_SOURCE} to ${MAX_SOURCE} px) and
${SOURCE_SVG}: PNGs of ${TRANSPARENT_SIZES.join(", ")} px, an opaque ${APPLE_TOUCH_SIZE} px apple-touch-icon
and a copy of the SVG in ${OUT_DIR}/, named with their hash; their headers in ${HEADERS};
and the manifest ${MANIFEST}. Stale hashed files in ${OUT_DIR}/ are removed.

  --check     write nothing; exit 1 if the files on disk are not what the sources make
  -h, --help  show this text

Exit status: 0 done (or up to date), 1 a source is invalid or (--check) the outputs are
stale, 2 usage error.`;

/** A problem with the publisher's sources or the committed outputs, printed without a stack. */
class IconError extends Error {}

interface Icon {
  size: number;
  path: string;
}
interface Output {
  /** Relative to the repository root. */
  file: string;
  bytes: Buffer;
}
/** 8-bit sRGB with straight alpha, as pngjs decodes every PNG. */
interface Square {
  size: number;
  rgba: Buffer;
}
type Rgb = readonly [number, number, number];

function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}
const TO_LINEAR = Float64Array.from({ length: 256 }, (_, v) => srgbToLinear(v / 255));
// The linear values halfway between neighbouring bytes: a value's byte is how many lie below it.
// Searching this table rounds exactly in sRGB and calls no pow per pixel.
const MIDPOINTS = Float64Array.from({ length: 255 }, (_, v) => srgbToLinear((v + 0.5) / 255));

/** Typed-array read; the indexes below are in bounds by construction, which tsc cannot see. */
function at(array: Float64Array, index: number): number {
  return array[index] as number;
}

function toSrgbByte(linear: number): number {
  let low = 0;
  let high = 255;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (at(MIDPOINTS, mid) < linear) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Box filter: the source pixels under each destination pixel and the share of it each covers. */
function boxSpans(from: number, to: number): { first: number; weights: number[] }[] {
  const scale = from / to;
  return Array.from({ length: to }, (_, d) => {
    const start = d * scale;
    const end = Math.min((d + 1) * scale, from);
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let s = first; s < end; s++) weights.push((Math.min(s + 1, end) - Math.max(s, start)) / scale);
    return { first, weights };
  });
}

/** Area-averages the source to `to` px in premultiplied linear light (4 floats a pixel). */
function downsample(source: Square, to: number): Float64Array {
  const n = source.size;
  const spans = boxSpans(n, to);
  // Horizontal pass, straight from the bytes: n rows of `to` pixels.
  const rows = new Float64Array(n * to * 4);
  for (let y = 0; y < n; y++) {
    for (const [x, { first, weights }] of spans.entries()) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const [i, w] of weights.entries()) {
        const p = (y * n + first + i) * 4;
        const alpha = (source.rgba.readUInt8(p + 3) / 255) * w;
        r += at(TO_LINEAR, source.rgba.readUInt8(p)) * alpha;
        g += at(TO_LINEAR, source.rgba.readUInt8(p + 1)) * alpha;
        b += at(TO_LINEAR, source.rgba.readUInt8(p + 2)) * alpha;
        a += alpha;
      }
      rows.set([r, g, b, a], (y * to + x) * 4);
    }
  }
  const out = new Float64Array(to * to * 4);
  for (const [y, { first, weights }] of spans.entries()) {
    for (let x = 0; x < to; x++) {
      const sum = [0, 0, 0, 0];
      for (const [i, w] of weights.entries()) {
        const p = ((first + i) * to + x) * 4;
        for (let c = 0; c < 4; c++) sum[c] = (sum[c] as number) + at(rows, p + c) * w;
      }
      out.set(sum, (y * to + x) * 4);
    }
  }
  return out;
}

/** Encodes premultiplied linear pixels; with a background, composited onto it and written opaque. */
function encodePng(pixels: Float64Array, size: number, background: Rgb | null): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) {
    const p = i * 4;
    const a = Math.min(at(pixels, p + 3), 1);
    let rgb = [at(pixels, p), at(pixels, p + 1), at(pixels, p + 2)];
    let alpha = 255;
    if (background) rgb = rgb.map((c, k) => c + (background[k] as number) * (1 - a));
    else {
      alpha = Math.round(a * 255);
      // Fully transparent pixels get one colour, so their bytes do not depend on float noise.
      rgb = alpha === 0 ? [0, 0, 0] : rgb.map((c) => c / a);
    }
    png.data.set([...rgb.map(toSrgbByte), alpha], p);
  }
  return PNG.sync.write(png, {
    colorType: background ? 2 : 6,
    deflateLevel: 9,
    // Run-length matching uses no hash chains, so the bytes do not depend on which zlib build runs.
    deflateStrategy: zlib.Z_RLE,
    filterType: -1,
  });
}

/** Behind the icon: the middle of its four edges when they are opaque and alike (a rounded square's fill), else white. */
function backgroundOf(source: Square): Rgb {
  const n = source.size;
  const mid = n >> 1;
  const edges = [
    [mid, 0],
    [mid, n - 1],
    [0, mid],
    [n - 1, mid],
  ].map(([x = 0, y = 0]) => source.rgba.readUInt32BE((y * n + x) * 4));
  const [first = 0] = edges;
  if ((first & 0xff) !== 255 || edges.some((e) => e !== first)) return [1, 1, 1];
  return [at(TO_LINEAR, first >>> 24), at(TO_LINEAR, (first >>> 16) & 0xff), at(TO_LINEAR, (first >>> 8) & 0xff)];
}

async function readSource(file: string): Promise<Buffer> {
  try {
    return await readFile(join(ROOT, file));
  } catch (error) {
    throw new IconError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function decodeSource(bytes: Buffer): Square {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE))
    throw new IconError(`${SOURCE_PNG} is not a PNG file (it does not start with the PNG signature)`);
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    throw new IconError(`${SOURCE_PNG} is a damaged PNG file (${(error as Error).message})`);
  }
  const { width, height } = png;
  if (width !== height) throw new IconError(`${SOURCE_PNG} is ${width}×${height} px; the icon must be square`);
  if (width < MIN_SOURCE || width > MAX_SOURCE)
    throw new IconError(`${SOURCE_PNG} is ${width}×${height} px; it must be ${MIN_SOURCE} to ${MAX_SOURCE} px a side`);
  return { size: width, rgba: png.data };
}

function checkSvg(bytes: Buffer): void {
  const text = bytes.toString("utf8");
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new IconError(`${SOURCE_SVG} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  if (!/<svg\b[^>]*\bviewBox=/.test(text)) throw new IconError(`${SOURCE_SVG} needs a viewBox on its <svg> element`);
}

function hashOf(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 10);
}

function manifestModule(svg: string, png: Icon[], appleTouch: Icon): string {
  const icon = ({ size, path }: Icon) => `{ size: ${size}, path: ${JSON.stringify(path)} }`;
  return [
    `// Written by \`npm run icons\` (scripts/icons.ts) from ${SOURCE_PNG} and ${SOURCE_SVG}: edit those, not this.`,
    "export const ICON_MANIFEST = {",
    `  svg: ${JSON.stringify(svg)},`,
    "  png: [",
    ...png.map((entry) => `    ${icon(entry)},`),
    "  ],",
    `  appleTouch: ${icon(appleTouch)},`,
    "} as const;",
    "",
  ].join("\n");
}

/** Our block of _headers, replaced in place so that rules others add to the file survive. */
function headersFile(existing: string | null): string {
  if (existing === null || existing.trim() === "") return `${HEADERS_BLOCK}\n`;
  const start = existing.indexOf(HEADERS_BEGIN);
  const end = existing.indexOf(HEADERS_END, start);
  if (start === -1 || end === -1) return `${existing.trimEnd()}\n\n${HEADERS_BLOCK}\n`;
  return existing.slice(0, start) + HEADERS_BLOCK + existing.slice(end + HEADERS_END.length);
}

async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await readFile(join(ROOT, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Everything the sources make, as bytes, without touching the disk. */
async function buildOutputs(): Promise<Output[]> {
  const svgBytes = await readSource(SOURCE_SVG);
  checkSvg(svgBytes);
  const source = decodeSource(await readSource(SOURCE_PNG));
  const hashed = (name: string, ext: string, bytes: Buffer): Output => ({
    file: `${OUT_DIR}/${name}.${hashOf(bytes)}.${ext}`,
    bytes,
  });
  const pathOf = (output: Output) => output.file.slice("public".length);
  const svg = hashed("icon", "svg", svgBytes);
  const pngs = TRANSPARENT_SIZES.map((size) => ({
    size,
    output: hashed(`icon-${size}`, "png", encodePng(downsample(source, size), size, null)),
  }));
  const appleTouch = hashed(
    `icon-${APPLE_TOUCH_SIZE}`,
    "png",
    encodePng(downsample(source, APPLE_TOUCH_SIZE), APPLE_TOUCH_SIZE, backgroundOf(source)),
  );
  const manifest = manifestModule(
    pathOf(svg),
    pngs.map(({ size, output }) => ({ size, path: pathOf(output) })),
    { size: APPLE_TOUCH_SIZE, path: pathOf(appleTouch) },
  );
  const headers = headersFile((await readIfPresent(HEADERS))?.toString("utf8") ?? null);
  return [
    svg,
    ...pngs.map(({ output }) => output),
    appleTouch,
    { file: HEADERS, bytes: Buffer.from(headers) },
    { file: MANIFEST, bytes: Buffer.from(manifest) },
  ];
}

async function staleFiles(outputs: Output[]): Promise<string[]> {
  const wanted = new Set(outputs.map((o) => o.file));
  const names = await readdir(join(ROOT, OUT_DIR)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  return names
    .filter((name) => HASHED_NAME.test(name))
    .map((name) => `${OUT_DIR}/${name}`)
    .filter((file) => !wanted.has(file))
    .sort();
}

async function main(argv: string[]): Promise<number> {
  let check: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { check: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    check = values.check === true;
  } catch (error) {
    console.error(`icons: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  try {
    const outputs = await buildOutputs();
    const stale = await staleFiles(outputs);
    const changed: Output[] = [];
    for (const output of outputs) {
      const current = await readIfPresent(output.file);
      if (!current?.equals(output.bytes)) changed.push(output);
    }
    if (check) {
      if (changed.length === 0 && stale.length === 0) return 0;
      const lines = [...changed.map((o) => `  ${o.file}: missing or different`), ...stale.map((f) => `  ${f}: stale`)];
      throw new IconError(
        `the committed icon files are not what ${SOURCE_PNG} and ${SOURCE_SVG} make:\n${lines.join("\n")}\n` +
          "Run `npm run icons` and commit the result.",
      );
    }
    for (const output of changed) {
      await mkdir(dirname(join(ROOT, output.file)), { recursive: true });
      await writeFile(join(ROOT, output.file), output.bytes);
    }
    for (const file of stale) await rm(join(ROOT, file));
    for (const output of outputs) console.log(`${output.file}  ${output.bytes.length} bytes`);
    console.log(`icons: ${changed.length} written, ${stale.length} stale removed`);
    return 0;
  } catch (error) {
    if (!(error instanceof IconError)) throw error;
    console.error(`icons: ${error.message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
