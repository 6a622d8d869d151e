// HTML pages with Hono JSX: escaping by default; only sanitised article HTML is inserted raw.
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { type ArticleEntry, modifiedAt, tagSlug } from "../article/model.ts";
import type { Site } from "../site.ts";
import { FEED_FILES, FEED_TYPES, type FeedFormat, absolutizeHtml, articleUrl, feedUrl, pageUrl } from "./urls.ts";
import { type FeedView, pagingLinks } from "./view.ts";

const FEED_NAMES: Record<FeedFormat, string> = { rss: "RSS", atom: "Atom", json: "JSON Feed" };

function formatDate(iso: string, language: string): string {
  try {
    return new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" }).format(new Date(iso));
  } catch {
    // An unknown language tag falls back to English rather than failing the page.
    return new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" }).format(new Date(iso));
  }
}

interface LayoutProps {
  site: Site;
  title: string;
  description: string;
  canonical: string;
  language: string;
  tag: string | null;
  children: Child;
}

function Layout(props: LayoutProps) {
  const { site } = props;
  return (
    <html lang={props.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <meta name="description" content={props.description} />
        <link rel="canonical" href={props.canonical} />
        {(Object.keys(FEED_FILES) as FeedFormat[]).map((format) => (
          <link
            rel="alternate"
            type={FEED_TYPES[format]}
            title={`${props.tag ? `${site.title}: ${props.tag}` : site.title} (${FEED_NAMES[format]})`}
            href={feedUrl(site.origin, props.tag === null ? null : tagSlug(props.tag), format)}
          />
        ))}
      </head>
      <body>
        <header>
          <a href={`${site.origin}/`}>{site.title}</a>
        </header>
        <main>{props.children}</main>
        <footer>
          <nav aria-label="Feeds">
            {(Object.keys(FEED_FILES) as FeedFormat[]).map((format) => (
              <a href={feedUrl(site.origin, props.tag === null ? null : tagSlug(props.tag), format)}>{FEED_NAMES[format]}</a>
            ))}
          </nav>
        </footer>
      </body>
    </html>
  );
}

function TagLinks({ site, tags }: { site: Site; tags: string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul class="tags">
      {tags.map((tag) => (
        <li>
          <a href={pageUrl(site.origin, tagSlug(tag))}>{tag}</a>
        </li>
      ))}
    </ul>
  );
}

function Summary({ site, entry }: { site: Site; entry: ArticleEntry }) {
  return (
    <article>
      <h2>
        <a href={articleUrl(site.origin, entry.slug)}>{entry.title}</a>
      </h2>
      <time datetime={entry.publishedAt}>{formatDate(entry.publishedAt, entry.language ?? site.language)}</time>
      {entry.summary ? <p>{entry.summary}</p> : null}
      <TagLinks site={site} tags={entry.tags} />
    </article>
  );
}

export async function renderListPage(view: FeedView): Promise<string> {
  const { site } = view;
  const links = pagingLinks(view);
  const heading = view.tag ? `Tagged “${view.tag.name}”` : site.title;
  const page = (
    <Layout
      site={site}
      title={view.page > 1 ? `${view.title} (page ${view.page})` : view.title}
      description={view.description}
      canonical={pageUrl(site.origin, view.tag?.slug ?? null, view.page)}
      language={site.language}
      tag={view.tag?.name ?? null}
    >
      <h1>{heading}</h1>
      {view.entries.length === 0 ? <p>Nothing published yet.</p> : view.entries.map((entry) => <Summary site={site} entry={entry} />)}
      {view.lastPage > 1 ? (
        <nav aria-label="Pages">
          {links.previous ? <a rel="prev" href={links.previous}>Newer</a> : null}
          {links.next ? <a rel="next" href={links.next}>Older</a> : null}
        </nav>
      ) : null}
    </Layout>
  );
  return `<!doctype html>${await page.toString()}`;
}

export async function renderArticlePage(site: Site, entry: ArticleEntry): Promise<string> {
  const language = entry.language ?? site.language;
  const authors = entry.authors.length > 0 ? entry.authors : [{ name: site.author }];
  const page = (
    <Layout
      site={site}
      title={`${entry.title} – ${site.title}`}
      description={entry.summary ?? site.description}
      canonical={articleUrl(site.origin, entry.slug)}
      language={language}
      tag={null}
    >
      <article>
        <h1>{entry.title}</h1>
        <p>
          <time datetime={entry.publishedAt}>{formatDate(entry.publishedAt, language)}</time>
          {entry.updatedAt ? (
            <>
              {" · updated "}
              <time datetime={modifiedAt(entry)}>{formatDate(modifiedAt(entry), language)}</time>
            </>
          ) : null}
          {" · "}
          {authors.map((a) => a.name).join(", ")}
        </p>
        <div class="content">{raw(absolutizeHtml(entry.html, site.origin))}</div>
        <TagLinks site={site} tags={entry.tags} />
      </article>
    </Layout>
  );
  return `<!doctype html>${await page.toString()}`;
}

export async function renderNotFoundPage(site: Site): Promise<string> {
  const page = (
    <Layout
      site={site}
      title={`Not found – ${site.title}`}
      description="This page does not exist."
      canonical={`${site.origin}/`}
      language={site.language}
      tag={null}
    >
      <h1>Not found</h1>
      <p>
        There is nothing at this address. The <a href={`${site.origin}/`}>home page</a> lists every article.
      </p>
    </Layout>
  );
  return `<!doctype html>${await page.toString()}`;
}
