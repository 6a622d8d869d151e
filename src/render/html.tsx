// HTML pages with Hono JSX: escaping by default; only sanitised article HTML and escaped JSON-LD go in raw.
// Markup carries microformats2 (h-feed/h-entry) so IndieWeb readers can follow the pages themselves.
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { type ArticleEntry, type Author, modifiedAt, tagSlug } from "../article/model.ts";
import type { Site } from "../site.ts";
import { ICON_PATH, STYLESHEET_PATH } from "./style.ts";
import { absolutizeHtml, articleUrl, FEED_FILES, FEED_TYPES, type FeedFormat, feedUrl, pageUrl } from "./urls.ts";
import { type FeedView, type PageLinks, pagingLinks } from "./view.ts";

const FEED_NAMES: Record<FeedFormat, string> = { rss: "RSS", atom: "Atom", json: "JSON Feed" };
const FORMATS = Object.keys(FEED_FILES) as FeedFormat[];

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

const authorsOf = (site: Site, entry: ArticleEntry): Author[] =>
  entry.authors.length > 0 ? entry.authors : [{ name: site.author }];

/** A feed scope shown in `<link rel=alternate>` and the footer: a tag's own feeds, or the site's. */
interface FeedScope {
  slug: string | null;
  title: string;
}

interface LayoutProps {
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

function Layout(props: LayoutProps) {
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
        <link rel="icon" href={ICON_PATH} type="image/svg+xml" />
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
          </nav>
        </footer>
      </body>
    </html>
  );
}

function SocialMeta(props: {
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

function TagLinks({ site, tags }: { site: Site; tags: string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul class="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li>
          <a class="p-category" rel="tag" href={pageUrl(site.origin, tagSlug(tag))}>
            {tag}
          </a>
        </li>
      ))}
    </ul>
  );
}

function Byline({ authors }: { authors: Author[] }) {
  return (
    <>
      {authors.map((author, i) => (
        <>
          {i === 0 ? "" : i === authors.length - 1 ? " and " : ", "}
          <span class="p-author h-card">
            {author.url ? (
              <a class="p-name u-url" href={author.url}>
                {author.name}
              </a>
            ) : (
              <span class="p-name">{author.name}</span>
            )}
          </span>
        </>
      ))}
    </>
  );
}

function Dates({ entry, language }: { entry: ArticleEntry; language: string }) {
  return (
    <>
      <time class="dt-published" datetime={entry.publishedAt}>
        {formatDate(entry.publishedAt, language)}
      </time>
      {entry.updatedAt && entry.updatedAt !== entry.publishedAt ? (
        <>
          {" · updated "}
          <time class="dt-updated" datetime={modifiedAt(entry)}>
            {formatDate(modifiedAt(entry), language)}
          </time>
        </>
      ) : null}
    </>
  );
}

function EntrySummary({ site, entry }: { site: Site; entry: ArticleEntry }) {
  const language = entry.language ?? site.language;
  return (
    <article class="entry h-entry" lang={language === site.language ? undefined : language}>
      <h2 class="p-name">
        <a class="u-url" href={articleUrl(site.origin, entry.slug)}>
          {entry.title}
        </a>
      </h2>
      <p class="meta">
        <Dates entry={entry} language={language} />
        {" · "}
        <Byline authors={authorsOf(site, entry)} />
      </p>
      {entry.summary ? <p class="summary p-summary">{entry.summary}</p> : null}
      <TagLinks site={site} tags={entry.tags} />
    </article>
  );
}

const page = async (node: Child) =>
  `<!doctype html>${await (node as { toString(): string | Promise<string> }).toString()}`;

export function renderListPage(view: FeedView): Promise<string> {
  const { site } = view;
  const links = pagingLinks(view);
  const canonical = pageUrl(site.origin, view.tag?.slug ?? null, view.page);
  const title = view.page > 1 ? `${view.title} (page ${view.page})` : view.title;
  const feeds: FeedScope[] = [{ slug: null, title: site.title }];
  if (view.tag) feeds.unshift({ slug: view.tag.slug, title: view.title });
  return page(
    <Layout
      site={site}
      title={title}
      description={view.description}
      canonical={canonical}
      language={site.language}
      feeds={feeds}
      paging={links}
      brandIsHeading={view.tag === null}
      meta={
        <SocialMeta
          site={site}
          type="website"
          title={title}
          description={view.description}
          url={canonical}
          language={site.language}
        />
      }
    >
      <div class="h-feed">
        {/* The feed's name and URL for mf2 readers; the visible heading says it in words. */}
        <data class="p-name" value={view.title} />
        <data class="u-url" value={canonical} />
        {view.tag ? (
          <h1>
            <span class="kicker">Articles tagged</span> {view.tag.name}
          </h1>
        ) : null}
        {view.entries.length === 0 ? (
          <p>Nothing published yet.</p>
        ) : (
          view.entries.map((entry) => <EntrySummary site={site} entry={entry} />)
        )}
      </div>
      {view.lastPage > 1 ? (
        <nav class="pager" aria-label="Pages">
          {links.previous ? (
            <a rel="prev" href={links.previous}>
              ← Newer articles
            </a>
          ) : (
            <span />
          )}
          <span>
            Page {view.page} of {view.lastPage}
          </span>
          {links.next ? (
            <a rel="next" href={links.next}>
              Older articles →
            </a>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </Layout>,
  );
}

function articleJsonLd(site: Site, entry: ArticleEntry, url: string, language: string) {
  return {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    headline: entry.title,
    description: entry.summary,
    url,
    mainEntityOfPage: url,
    datePublished: entry.publishedAt,
    dateModified: modifiedAt(entry),
    inLanguage: language,
    author:
      entry.authors.length > 0
        ? entry.authors.map((a) => ({ "@type": "Person", name: a.name, url: a.url }))
        : [{ "@type": "Organization", name: site.author, url: `${site.origin}/` }],
    publisher: { "@type": "Organization", name: site.title, url: `${site.origin}/` },
    image: entry.image ? [entry.image] : undefined,
    keywords: entry.tags.length > 0 ? entry.tags : undefined,
    isAccessibleForFree: true,
  };
}

export function renderArticlePage(site: Site, entry: ArticleEntry): Promise<string> {
  const language = entry.language ?? site.language;
  const url = articleUrl(site.origin, entry.slug);
  const description = entry.summary ?? site.description;
  return page(
    <Layout
      site={site}
      title={`${entry.title} – ${site.title}`}
      description={description}
      canonical={url}
      language={language}
      feeds={[{ slug: null, title: site.title }]}
      brandIsHeading={false}
      meta={
        <>
          <SocialMeta
            site={site}
            type="article"
            title={entry.title}
            description={description}
            url={url}
            language={language}
            image={entry.image}
          />
          <meta property="article:published_time" content={entry.publishedAt} />
          <meta property="article:modified_time" content={modifiedAt(entry)} />
          {entry.tags.map((tag) => (
            <meta property="article:tag" content={tag} />
          ))}
          <script type="application/ld+json">{raw(jsonLd(articleJsonLd(site, entry, url, language)))}</script>
        </>
      }
    >
      <article class="h-entry">
        <header>
          <h1 class="p-name">{entry.title}</h1>
          <p class="meta">
            {"By "}
            <Byline authors={authorsOf(site, entry)} />
            {" · "}
            {/* The date links to the permalink: the h-entry's u-url, as IndieWeb readers expect. */}
            <a class="u-url" href={url}>
              <Dates entry={entry} language={language} />
            </a>
          </p>
        </header>
        <div class="content e-content">{raw(absolutizeHtml(entry.html, site.origin))}</div>
        {entry.tags.length > 0 ? (
          <footer class="article-footer">
            <TagLinks site={site} tags={entry.tags} />
          </footer>
        ) : null}
      </article>
    </Layout>,
  );
}

export function renderNotFoundPage(site: Site): Promise<string> {
  const home = `${site.origin}/`;
  return page(
    <Layout
      site={site}
      title={`Page not found – ${site.title}`}
      description="There is nothing at this address."
      canonical={null}
      language={site.language}
      feeds={[{ slug: null, title: site.title }]}
      brandIsHeading={false}
      meta={null}
    >
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have been mistyped, or the article may have been taken down.</p>
      <p>
        The <a href={home}>home page</a> lists every article, newest first.
      </p>
    </Layout>,
  );
}
