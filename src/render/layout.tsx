// The frame every HTML page shares: head (feeds, icons, metadata), header, footer. Hono JSX
// escapes by default; only escaped JSON-LD goes in raw.
import type { Child } from "hono/jsx";
import type { Site } from "../site.ts";
import { SITE_ICONS } from "./icons.ts";
import { STYLESHEET_PATH } from "./style.ts";
import { FEED_FILES, FEED_TYPES, type FeedFormat, feedsPageUrl, feedUrl, opmlUrl } from "./urls.ts";
import type { PageLinks } from "./view.ts";

export const FEED_NAMES: Record<FeedFormat, string> = { rss: "RSS", atom: "Atom", json: "JSON Feed" };
export const FORMATS = Object.keys(FEED_FILES) as FeedFormat[];

/** A date as a reader of `language` writes it, in UTC so every render of the same data is the same. */
export function formatDate(iso: string, language: string): string {
  return dateFormat(language).format(new Date(iso));
}

// Building a formatter costs some 40 µs, formatting with one about 1 µs: keep one per language.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(language: string): Intl.DateTimeFormat {
  let format = dateFormats.get(language);
  if (format) return format;
  const options: Intl.DateTimeFormatOptions = { dateStyle: "long", timeZone: "UTC" };
  try {
    format = new Intl.DateTimeFormat(language, options);
  } catch (error) {
    // The model's pattern admits a few tags ICU rejects (e.g. "en-a"); English beats a failed page.
    if (!(error instanceof RangeError)) throw error;
    format = new Intl.DateTimeFormat("en", options);
  }
  if (dateFormats.size < 100) dateFormats.set(language, format);
  return format;
}

/** JSON for a `<script type="application/ld+json">`: nothing in it can close the element or open a comment. */
export function jsonLd(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** A feed scope shown in `<link rel=alternate>` and the footer: a tag's own feeds, or the site's. */
export interface FeedScope {
  slug: string | null;
  title: string;
}

export interface LayoutProps {
  site: Site;
  title: string;
  description: string;
  /** Null on pages that must not be indexed (404). */
  canonical: string | null;
  language: string;
  /** Most specific first: a tag page offers the tag's feeds, then the site's. */
  feeds: FeedScope[];
  paging?: PageLinks | undefined;
  /** Open Graph, Twitter and JSON-LD for this page. */
  meta: Child;
  /** The site name is the page's h1 on the home page only; elsewhere the page has its own. */
  brandIsHeading: boolean;
  children: Child;
}

export function Layout(props: LayoutProps) {
  const { site } = props;
  const home = `${site.origin}/`;
  const Brand = props.brandIsHeading ? "h1" : "p";
  const siteFeeds = props.feeds.at(-1) as FeedScope;
  return (
    <html lang={props.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
        <meta name="description" content={props.description} />
        {props.canonical ? <link rel="canonical" href={props.canonical} /> : <meta name="robots" content="noindex" />}
        {props.paging?.previous ? <link rel="prev" href={props.paging.previous} /> : null}
        {props.paging?.next ? <link rel="next" href={props.paging.next} /> : null}
        <link rel="stylesheet" href={STYLESHEET_PATH} />
        <link rel="icon" href={SITE_ICONS.svg} type="image/svg+xml" sizes="any" />
        {SITE_ICONS.png
          .filter((icon) => icon.size <= 192)
          .map((icon) => (
            <link rel="icon" href={icon.path} type="image/png" sizes={`${icon.size}x${icon.size}`} />
          ))}
        <link rel="apple-touch-icon" href={SITE_ICONS.appleTouch.path} sizes="180x180" />
        {props.feeds.flatMap((scope) =>
          FORMATS.map((format) => (
            <link
              rel="alternate"
              type={FEED_TYPES[format]}
              title={`${scope.title} (${FEED_NAMES[format]})`}
              href={feedUrl(site.origin, scope.slug, format)}
            />
          )),
        )}
        {/* OPML autodiscovery: a reader imports every feed of the site in one step. */}
        <link
          rel="outline"
          type="text/x-opml"
          title={`Every feed of ${site.title} (OPML)`}
          href={opmlUrl(site.origin)}
        />
        {props.meta}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <Brand class="brand">
            <a href={home}>{site.title}</a>
          </Brand>
          {site.description ? <p class="tagline">{site.description}</p> : null}
        </header>
        <main id="main">{props.children}</main>
        <footer class="site-footer">
          <nav aria-label="Feeds">
            {props.feeds.map((scope) => (
              <div class="feeds">
                <p>
                  {scope === siteFeeds && props.feeds.length > 1
                    ? `Every article on ${site.title}:`
                    : `Follow ${scope.title}:`}
                </p>
                <ul>
                  {FORMATS.map((format) => (
                    <li>
                      <a href={feedUrl(site.origin, scope.slug, format)} type={FEED_TYPES[format]}>
                        {FEED_NAMES[format]}
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
            <p class="feeds-help">
              <a href={feedsPageUrl(site.origin)}>What feeds are, and every feed of {site.title}</a>
            </p>
          </nav>
        </footer>
      </body>
    </html>
  );
}

export function SocialMeta(props: {
  site: Site;
  type: "website" | "article";
  title: string;
  description: string;
  url: string;
  language: string;
  image?: string | undefined;
}) {
  return (
    <>
      <meta property="og:type" content={props.type} />
      <meta property="og:site_name" content={props.site.title} />
      <meta property="og:title" content={props.title} />
      <meta property="og:description" content={props.description} />
      <meta property="og:url" content={props.url} />
      <meta property="og:locale" content={props.language.replaceAll("-", "_")} />
      {props.image ? <meta property="og:image" content={props.image} /> : null}
      <meta name="twitter:card" content={props.image ? "summary_large_image" : "summary"} />
      <meta name="twitter:title" content={props.title} />
      <meta name="twitter:description" content={props.description} />
      {props.image ? <meta name="twitter:image" content={props.image} /> : null}
    </>
  );
}

export const page = async (node: Child) =>
  `<!doctype html>${await (node as { toString(): string | Promise<string> }).toString()}`;
