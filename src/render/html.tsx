// HTML pages with Hono JSX: escaping by default; only sanitised article HTML and escaped JSON-LD go in raw.
// Markup carries microformats2 (h-feed/h-entry) so IndieWeb readers can follow the pages themselves.
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { type ArticleEntry, type Author, modifiedAt, tagSlug } from "../article/model.ts";
import type { Site } from "../site.ts";
import { SITE_ICONS } from "./icons.ts";
import { type FeedScope, formatDate, jsonLd, Layout, page, SocialMeta } from "./layout.tsx";
import { absolutizeHtml, articleUrl, pageUrl } from "./urls.ts";
import { type FeedView, type PageLinks, pagingLinks } from "./view.ts";

const authorsOf = (site: Site, entry: ArticleEntry): Author[] =>
  entry.authors.length > 0 ? entry.authors : [{ name: site.author }];

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

export function renderListPage(view: FeedView): Promise<string> {
  const { site } = view;
  const links = pagingLinks(view) as PageLinks;
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
  const logo = SITE_ICONS.png[0] as { size: number; path: string };
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
    publisher: {
      "@type": "Organization",
      name: site.title,
      url: `${site.origin}/`,
      logo: { "@type": "ImageObject", url: `${site.origin}${logo.path}`, width: logo.size, height: logo.size },
    },
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

/** A page that says why there is no article here, kept out of search indexes. */
function messagePage(site: Site, title: string, description: string, body: Child): Promise<string> {
  return page(
    <Layout
      site={site}
      title={`${title} – ${site.title}`}
      description={description}
      canonical={null}
      language={site.language}
      feeds={[{ slug: null, title: site.title }]}
      brandIsHeading={false}
      meta={null}
    >
      {body}
      <p>
        The <a href={`${site.origin}/`}>home page</a> lists every article, newest first.
      </p>
    </Layout>,
  );
}

export function renderNotFoundPage(site: Site): Promise<string> {
  return messagePage(
    site,
    "Page not found",
    "There is nothing at this address.",
    <>
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have been mistyped, or the article may have been taken down.</p>
    </>,
  );
}

/** 410: deleted is not never-existed; readers and crawlers learn it is gone for good. */
export function renderGonePage(site: Site, deletedAt: string): Promise<string> {
  return messagePage(
    site,
    "Article removed",
    "This article was deleted.",
    <>
      <h1>This article was removed</h1>
      <p>
        It was deleted on <time datetime={deletedAt}>{formatDate(deletedAt, site.language)}</time> and will not come
        back at this address.
      </p>
    </>,
  );
}
