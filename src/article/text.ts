// Characters XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/U+FFFF), the C1 controls it
// discourages, and lone surrogates: none of them may reach a feed, a page or the store.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, plus CR
const NEEDS_CLEANING = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFE\uFFFF]/;

/** Well-formed Unicode with every character XML 1.0 rejects removed; CRLF becomes LF. */
export function cleanText(value: string): string {
  // Renderers clean every string they write; almost all are clean already, so test before copying.
  if (value.isWellFormed() && !NEEDS_CLEANING.test(value)) return value;
  return value.toWellFormed().replace(FORBIDDEN, "").replace(/\r\n?/g, "\n");
}
