// The site icon's files, as `npm run icons` wrote them: what feeds and pages link to.
// Paths are root-relative; renderers make them absolute with the site's origin.
import { ICON_MANIFEST } from "./icon-manifest.ts";

/** A square PNG, `size` pixels a side. */
export interface SiteIcon {
  readonly size: number;
  readonly path: string;
}

export interface SiteIcons {
  /** The vector favicon; it follows the reader's light or dark scheme. */
  readonly svg: string;
  /** Transparent PNGs, largest first. */
  readonly png: readonly SiteIcon[];
  /** Opaque, for apple-touch-icon (iOS fills transparency with black); not among `png`. */
  readonly appleTouch: SiteIcon;
}

function freezeIcon({ size, path }: SiteIcon): SiteIcon {
  return Object.freeze({ size, path });
}

export const SITE_ICONS: SiteIcons = Object.freeze({
  svg: ICON_MANIFEST.svg,
  png: Object.freeze(ICON_MANIFEST.png.map(freezeIcon).sort((a, b) => b.size - a.size)),
  appleTouch: freezeIcon(ICON_MANIFEST.appleTouch),
});

/** The smallest transparent PNG at least `min` pixels a side (JSON Feed's icon: 512, its favicon: 64). */
export function iconOfSize(min: number): SiteIcon {
  const fits = SITE_ICONS.png.filter((icon) => icon.size >= min);
  const smallest = fits[fits.length - 1];
  if (!smallest) {
    const largest = SITE_ICONS.png[0]?.size ?? 0;
    throw new RangeError(`no site icon is ${min} px or larger; the largest is ${largest} px`);
  }
  return smallest;
}
