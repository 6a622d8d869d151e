// The site's one stylesheet and the content-hashed URL it is served at (see routes/pages.ts).
// No JavaScript anywhere; typography is fluid from 320 px to 1440 px, lines stay under ~70ch.

export const STYLESHEET = `:root{color-scheme:light dark;--bg:#fdfcfa;--fg:#1f1d1a;--muted:#57524b;--accent:#9a3412;--rule:#e4ded4;--soft:#f4efe7;--focus:#1d4ed8;--serif:Charter,"Bitstream Charter","Sitka Text",Cambria,Georgia,serif;--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#17181b;--fg:#e9e6e1;--muted:#aba59c;--accent:#f4a36b;--rule:#34363b;--soft:#212328;--focus:#8ab4ff}}
*,::before,::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%;font-size:clamp(1.0625rem,.95rem + .4vw,1.1875rem)}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.65 var(--serif);overflow-wrap:break-word}
.site-header,main,.site-footer{width:100%;max-width:calc(34rem + 2 * var(--gutter));margin-inline:auto;--gutter:clamp(1rem,4vw,2rem);padding-inline:var(--gutter)}
.site-header{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:.25rem 1rem;padding-block:1.25rem;border-bottom:1px solid var(--rule);font-family:var(--sans)}
.brand{margin:0;font:700 1.25rem/1.2 var(--sans);letter-spacing:-.01em}
.brand a{color:var(--fg);text-decoration:none}
.tagline{margin:0;color:var(--muted);font-size:.875rem}
main{padding-block:1.5rem 3rem}
h1,h2,h3,h4{font-family:var(--sans);line-height:1.2;letter-spacing:-.015em;text-wrap:balance}
h1{font-size:clamp(1.6rem,1.25rem + 1.9vw,2.5rem);margin:.5rem 0 1rem}
h2{font-size:clamp(1.3rem,1.15rem + .7vw,1.6rem);margin:2rem 0 .75rem}
h3{font-size:1.15em;margin:1.75rem 0 .5rem}
p,ul,ol,blockquote,pre,figure,table{margin:0 0 1.1em}
a{color:var(--accent);text-decoration-thickness:.07em;text-underline-offset:.18em}
a:hover{text-decoration-thickness:.14em}
:focus-visible{outline:3px solid var(--focus);outline-offset:3px;border-radius:2px}
.skip{position:absolute;left:.5rem;top:-4rem;padding:.5rem 1rem;background:var(--bg);font-family:var(--sans)}
.skip:focus{top:.5rem}
.meta{margin:0 0 1rem;color:var(--muted);font:.875rem/1.5 var(--sans)}
.meta a{color:inherit}
.kicker{display:block;margin-bottom:.25rem;color:var(--muted);font-size:.875rem;font-weight:600;letter-spacing:.06em;text-transform:uppercase}
.entry{padding-block:1.5rem;border-bottom:1px solid var(--rule)}
.entry:first-of-type{padding-top:.5rem}
.entry:last-child{border-bottom:0}
.entry h2{margin:0 0 .4rem}
.entry h2 a{color:var(--fg);text-decoration:none}
.entry h2 a:hover{text-decoration:underline}
.entry .meta{margin-bottom:.6rem}
.summary{margin-bottom:.75rem}
.tags{display:flex;flex-wrap:wrap;gap:.5rem;margin:0;padding:0;list-style:none;font:.8125rem/1 var(--sans)}
.tags a{display:inline-block;padding:.4rem .65rem;border:1px solid var(--rule);border-radius:999px;background:var(--soft);color:var(--fg);text-decoration:none}
.tags a:hover{border-color:var(--accent)}
.article-footer{margin-top:2.5rem;padding-top:1rem;border-top:1px solid var(--rule)}
.content blockquote{margin-inline:0;padding:.75rem 1.25rem;border-inline-start:4px solid var(--accent);background:var(--soft);font-style:italic}
.content blockquote p:last-child{margin-bottom:0}
.content blockquote p:last-child:not(:first-child){font-style:normal;color:var(--muted);font-size:.9em}
.content img,.content video{max-width:100%;height:auto}
.content pre{overflow-x:auto;padding:1rem;background:var(--soft);font-size:.875em}
.content code{font-size:.9em}
.content table{display:block;overflow-x:auto;border-collapse:collapse}
.content th,.content td{padding:.4rem .6rem;border:1px solid var(--rule)}
.content hr{border:0;border-top:1px solid var(--rule);margin:2rem 0}
main section code{font-size:.85em;overflow-wrap:anywhere;background:var(--soft);padding:.05em .3em;border-radius:3px}
.feed-urls{padding-inline-start:1.25rem;font:.9375rem/1.5 var(--sans)}
.feed-urls li{margin-block:.3rem}
.readers{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;padding:0;list-style:none;font-family:var(--sans)}
.feeds-help{margin:.5rem 0 0}
.pager{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:1rem;margin-top:2rem;font-family:var(--sans)}
.pager a{padding:.5rem 0}
.pager span{color:var(--muted);font-size:.875rem}
.site-footer{padding-block:1.5rem 2.5rem;border-top:1px solid var(--rule);color:var(--muted);font:.875rem/1.5 var(--sans)}
.feeds{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 1rem;margin-bottom:.25rem}
.feeds p{margin:0}
.site-footer ul{display:flex;flex-wrap:wrap;gap:0 1rem;margin:0;padding:0;list-style:none}
.site-footer a{display:inline-block;padding-block:.25rem}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#333;--accent:#000;--rule:#999;--soft:#fff}
body{font-size:11pt;line-height:1.45}
.skip,.site-footer,.pager,.tags{display:none}
.site-header,main{max-width:none;padding-inline:0}
.content a[href^="http"]::after{content:" (" attr(href) ")";font-size:.8em;overflow-wrap:anywhere}
h1,h2,h3{break-after:avoid}
p,blockquote{orphans:3;widows:3}
blockquote{break-inside:avoid}
}
`;

/** FNV-1a, 32 bits: enough to give each version of the stylesheet its own URL, and synchronous. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

export const STYLESHEET_HASH = fnv1a(STYLESHEET);
/** Root-relative on purpose: the sheet must come from whatever origin serves the page, which CSP 'self' allows. */
export const STYLESHEET_PATH = `/assets/site.${STYLESHEET_HASH}.css`;
