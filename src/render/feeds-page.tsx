// /feeds: for people who clicked a feed link and got XML, or want to follow the site. Browsers
// no longer render feeds (XSLT is going away), so this page explains, lists and links them all.
import type { Site } from "../site.ts";
import type { FeedListing } from "./discovery.ts";
import { FEED_NAMES, FORMATS, Layout, page, SocialMeta } from "./layout.tsx";
import { FEED_TYPES, feedsPageUrl, feedUrl, opmlUrl, pageUrl } from "./urls.ts";

/** Web readers that take a feed URL in a link; desktop and phone readers take it pasted. */
const READERS: { name: string; link: (feed: string) => string }[] = [
  { name: "Feedly", link: (feed) => `https://feedly.com/i/subscription/feed/${encodeURIComponent(feed)}` },
  { name: "Inoreader", link: (feed) => `https://www.inoreader.com/?add_feed=${encodeURIComponent(feed)}` },
  { name: "NewsBlur", link: (feed) => `https://www.newsblur.com/?url=${encodeURIComponent(feed)}` },
  {
    name: "The Old Reader",
    link: (feed) => `https://theoldreader.com/feeds/subscribe?url=${encodeURIComponent(feed)}`,
  },
];

function FeedUrls({ site, scope }: { site: Site; scope: FeedListing }) {
  return (
    <ul class="feed-urls">
      {FORMATS.map((format) => (
        <li>
          <a href={feedUrl(site.origin, scope.slug, format)} type={FEED_TYPES[format]}>
            {FEED_NAMES[format]}
          </a>
          {": "}
          <code>{feedUrl(site.origin, scope.slug, format)}</code>
        </li>
      ))}
    </ul>
  );
}

export function renderFeedsPage(site: Site, tags: FeedListing[]): Promise<string> {
  const url = feedsPageUrl(site.origin);
  const title = `Follow ${site.title} in a feed reader`;
  const description = `Every feed of ${site.title}, and how to subscribe to them.`;
  const main = feedUrl(site.origin, null, "atom");
  return page(
    <Layout
      site={site}
      title={`${title} – ${site.title}`}
      description={description}
      canonical={url}
      language={site.language}
      feeds={[{ slug: null, title: site.title }]}
      brandIsHeading={false}
      meta={
        <SocialMeta
          site={site}
          type="website"
          title={title}
          description={description}
          url={url}
          language={site.language}
        />
      }
    >
      <h1>{title}</h1>
      <section aria-labelledby="what">
        <h2 id="what">What is a feed?</h2>
        <p>
          A feed is this site's list of new articles in a form that feed readers understand. Subscribe once, and every
          new article reaches your reader on its own: no account here, no email, no algorithm choosing for you. If a
          feed link showed you a page of code, that was the feed itself, meant for a reader rather than a browser.
        </p>
      </section>
      <section aria-labelledby="how">
        <h2 id="how">How to subscribe</h2>
        <ol>
          <li>
            Copy a feed address from the list below. The site's main feed is <code>{main}</code>.
          </li>
          <li>Paste it into your feed reader where it asks for a feed, a subscription or a URL.</li>
        </ol>
        <p>Or open the main feed straight in a web reader:</p>
        <ul class="readers">
          {READERS.map((reader) => (
            <li>
              <a href={reader.link(main)}>{reader.name}</a>
            </li>
          ))}
        </ul>
        <p>
          Readers on phones and computers, such as NetNewsWire, Reeder, FreshRSS, Miniflux, Thunderbird or Feeder, take
          the address pasted. RSS, Atom and JSON Feed carry the same articles: choose whichever your reader prefers.
        </p>
      </section>
      <section aria-labelledby="all">
        <h2 id="all">Every feed</h2>
        <h3>
          <a href={pageUrl(site.origin, null)}>{site.title}</a>: every article
        </h3>
        <FeedUrls site={site} scope={{ slug: null, name: site.title }} />
        {tags.map((tag) => (
          <>
            <h3>
              <a href={pageUrl(site.origin, tag.slug)}>{tag.name}</a>
            </h3>
            <FeedUrls site={site} scope={tag} />
          </>
        ))}
      </section>
      <section aria-labelledby="import">
        <h2 id="import">Import them all at once</h2>
        <p>
          Most readers import an OPML file: <a href={opmlUrl(site.origin)}>{opmlUrl(site.origin)}</a> lists the site's
          feed and each tag's, one of each.
        </p>
      </section>
    </Layout>,
  );
}
