// The admin API as a publisher, a careless client and an attacker drive it: every status of the
// contract with its exact problem+json, and the store unchanged after every rejected request.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { articleInput, ORIGIN, request, requestWithEnv, resetStore, storeArticle } from "./helpers.ts";

const TOKEN = "test-admin-token";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { "Content-Type": "application/json" };
const PROBLEM_TYPE = "application/problem+json; charset=utf-8";
const MIB = 1024 * 1024;

/** Every KV key with its value and metadata: what "the store is unchanged" compares. */
async function snapshot(): Promise<Record<string, { value: string | null; metadata: unknown }>> {
  const out: Record<string, { value: string | null; metadata: unknown }> = {};
  let cursor: string | undefined;
  do {
    const page = await env.ARTICLES.list(cursor ? { cursor } : {});
    for (const key of page.keys) out[key.name] = { value: await env.ARTICLES.get(key.name), metadata: key.metadata };
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

function put(slug: string, body: BodyInit | null, headers: Record<string, string> = { ...AUTH, ...JSON_TYPE }) {
  return request(`/api/articles/${slug}`, { method: "PUT", headers, body });
}

const putJson = (slug: string, value: unknown) => put(slug, JSON.stringify(value));

/** Asserts the whole problem document and its media type; returns the response for more checks. */
async function expectProblem(response: Response, problem: Record<string, unknown>): Promise<Response> {
  expect(response.headers.get("Content-Type")).toBe(PROBLEM_TYPE);
  const body = await response.clone().json();
  expect(body).toEqual({ type: "about:blank", ...problem });
  expect(response.status).toBe(problem.status);
  return response;
}

/** Runs a request that must be refused and checks it wrote nothing at all. */
async function refused(send: () => Promise<Response>): Promise<Response> {
  const before = await snapshot();
  const response = await send();
  expect(await snapshot()).toEqual(before);
  return response;
}

beforeEach(async () => {
  await resetStore();
  await storeArticle("existing", articleInput({ title: "Existing", tags: ["Kept"] }));
});

describe("PUT /api/articles/:slug", () => {
  it("creates an article: 201, Location, the stored record with absolute links", async () => {
    const response = await putJson("new-one", articleInput({ title: "New one", content: "See [below](#more)." }));
    expect(response.status).toBe(201);
    expect(response.headers.get("Location")).toBe(`${ORIGIN}/articles/new-one`);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      slug: "new-one",
      title: "New one",
      publishedAt: "2024-01-01T12:00:00Z",
      url: `${ORIGIN}/articles/new-one`,
      html: `<p>See <a href="${ORIGIN}/articles/new-one#more">below</a>.</p>`,
    });
    expect(body.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const feed = (await (await request("/feed.json")).json()) as { items: { title: string }[] };
    // Same publication time: the slug breaks the tie.
    expect(feed.items.map((i) => i.title)).toEqual(["Existing", "New one"]);
  });

  it("replaces an article: 200, same id, publishedAt kept when not sent", async () => {
    const before = (await (await request("/api/articles/existing")).json()) as Record<string, unknown>;
    const input = articleInput({ title: "Existing, revised", updatedAt: "2024-02-01T00:00:00Z" });
    delete input.publishedAt;
    const response = await putJson("existing", input);
    expect(response.status).toBe(200);
    expect(response.headers.get("Location")).toBe(`${ORIGIN}/articles/existing`);
    const after = (await response.json()) as Record<string, unknown>;
    expect(after.id).toBe(before.id);
    expect(after.publishedAt).toBe("2024-01-01T12:00:00Z");
    expect(after.updatedAt).toBe("2024-02-01T00:00:00Z");
    expect(((await (await request("/api/articles/existing")).json()) as { title: string }).title).toBe(
      "Existing, revised",
    );
  });

  it("keeps the id when a replacement moves publishedAt", async () => {
    const before = (await (await request("/api/articles/existing")).json()) as { id: string };
    const response = await putJson("existing", articleInput({ publishedAt: "2023-06-01T00:00:00Z" }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(before.id);
  });

  it("takes back an article exactly as GET returned it", async () => {
    const fetched = await (await request("/api/articles/existing")).json();
    const response = await putJson("existing", fetched);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(fetched);
  });

  it("accepts JSON with a charset and +json media types", async () => {
    expect(
      (await put("a", JSON.stringify(articleInput()), { ...AUTH, "Content-Type": "application/json; charset=utf-8" }))
        .status,
    ).toBe(201);
    expect(
      (await put("b", JSON.stringify(articleInput()), { ...AUTH, "Content-Type": "application/merge-patch+json" }))
        .status,
    ).toBe(201);
  });

  it("accepts a body of exactly 1 MiB", async () => {
    const empty = JSON.stringify(articleInput({ content: "" }));
    const body = JSON.stringify(articleInput({ content: "x".repeat(MIB - empty.length) }));
    expect(new TextEncoder().encode(body).length).toBe(MIB);
    expect((await put("big", body)).status).toBe(201);
  });
});

describe("DELETE /api/articles/:slug", () => {
  it("deletes: 204 with no body, then the API and the page answer 410 Gone, and the feeds lose it", async () => {
    const response = await request("/api/articles/existing", { method: "DELETE", headers: AUTH });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await request("/api/articles/existing")).status).toBe(410);
    expect((await request("/articles/existing")).status).toBe(410);
    expect((await request("/tags/kept")).status).toBe(404);
    const feed = (await (await request("/feed.json")).json()) as { items: unknown[] };
    expect(feed.items).toEqual([]);
  });

  it("answers 404 problem+json for an article that does not exist, writing nothing", async () => {
    const response = await refused(() => request("/api/articles/missing", { method: "DELETE", headers: AUTH }));
    await expectProblem(response, { title: "Not Found", status: 404, detail: 'There is no article "missing".' });
  });
});

describe("GET /api/articles/:slug", () => {
  it("answers 404 problem+json for an unknown or impossible slug", async () => {
    await expectProblem(await request("/api/articles/missing"), {
      title: "Not Found",
      status: 404,
      detail: 'There is no article "missing".',
    });
    const odd = await request("/api/articles/Not_A_Slug");
    expect(odd.status).toBe(404);
    expect(odd.headers.get("Content-Type")).toBe(PROBLEM_TYPE);
  });
});

describe("authentication", () => {
  const valid = JSON.stringify(articleInput());

  it("answers 401 with a bare challenge when no bearer token is sent (none, or another scheme)", async () => {
    const basic = { Authorization: `Basic ${btoa(`admin:${TOKEN}`)}`, ...JSON_TYPE };
    for (const send of [
      () => put("new-one", valid, JSON_TYPE),
      () => request("/api/articles/existing", { method: "DELETE" }),
      () => put("new-one", valid, basic),
      () => put("new-one", valid, { Authorization: TOKEN, ...JSON_TYPE }),
      () => request("/api/articles/existing", { method: "DELETE", headers: basic }),
    ]) {
      const response = await refused(send);
      await expectProblem(response, {
        title: "Unauthorized",
        status: 401,
        detail: "Send Authorization: Bearer <ADMIN_TOKEN>.",
      });
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="admin"');
    }
  });

  it("answers 401 invalid_token for a wrong token, and for the right one with a suffix", async () => {
    for (const token of ["wrong", `${TOKEN}x`, TOKEN.slice(0, -1), TOKEN.toUpperCase()]) {
      const headers = { Authorization: `Bearer ${token}`, ...JSON_TYPE };
      for (const send of [
        () => put("new-one", valid, headers),
        () => request("/api/articles/existing", { method: "DELETE", headers }),
      ]) {
        const response = await refused(send);
        await expectProblem(response, {
          title: "Unauthorized",
          status: 401,
          detail: "The bearer token is not the admin token.",
        });
        expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="admin", error="invalid_token"');
      }
    }
  });

  it("answers 400 invalid_request for a malformed Authorization header (RFC 6750)", async () => {
    for (const header of [
      `Bearer ${TOKEN} extra`,
      "Bearer a:b",
      "Bearer a=b",
      "Bearer",
      "Bearer  ",
      `bearer ${TOKEN},x`,
    ]) {
      const response = await refused(() => put("new-one", valid, { Authorization: header, ...JSON_TYPE }));
      await expectProblem(response, {
        title: "Bad Request",
        status: 400,
        detail: "The Authorization header is not `Bearer <token>`.",
      });
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="admin", error="invalid_request"');
    }
  });

  it("answers 503 and accepts nothing while ADMIN_TOKEN is unset, whatever token is sent", async () => {
    const disabled = { ADMIN_TOKEN: "" };
    const problem = {
      title: "Service Unavailable",
      status: 503,
      detail: "The admin API is disabled: no ADMIN_TOKEN secret is set.",
    };
    for (const headers of [{ ...AUTH, ...JSON_TYPE }, JSON_TYPE, { Authorization: "Bearer ", ...JSON_TYPE }]) {
      await expectProblem(
        await refused(() => requestWithEnv(disabled, "/api/articles/new-one", { method: "PUT", headers, body: valid })),
        problem,
      );
      await expectProblem(
        await refused(() => requestWithEnv(disabled, "/api/articles/existing", { method: "DELETE", headers })),
        problem,
      );
    }
    // Reading stays public.
    expect((await requestWithEnv(disabled, "/api/articles/existing")).status).toBe(200);
  });
});

describe("request bodies", () => {
  it("answers 400 for malformed JSON", async () => {
    for (const body of ['{"title": ', "", "{'title': 'x'}", '{"title": "x",}']) {
      const response = await refused(() => put("new-one", body));
      expect(response.status).toBe(400);
      expect(response.headers.get("Content-Type")).toBe(PROBLEM_TYPE);
      const problem = (await response.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ type: "about:blank", title: "Bad Request", status: 400 });
      expect(problem.detail).toMatch(/^The body is not valid JSON: /);
    }
  });

  it("answers 415 for anything but JSON", async () => {
    const valid = JSON.stringify(articleInput());
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonp",
      null,
    ]) {
      const headers: Record<string, string> = { ...AUTH };
      if (type) headers["Content-Type"] = type;
      const response = await refused(() => put("new-one", type ? valid : new TextEncoder().encode(valid), headers));
      await expectProblem(response, {
        title: "Unsupported Media Type",
        status: 415,
        detail: "Send the article as application/json.",
      });
    }
  });

  const tooLarge = { title: "Content Too Large", status: 413, detail: `The body must be at most ${MIB} bytes.` };

  it("answers 413 for a body over 1 MiB that declares its length", async () => {
    const body = JSON.stringify(articleInput({ content: "x".repeat(MIB) }));
    await expectProblem(await refused(() => put("new-one", body)), tooLarge);
  });

  it("answers 413 for a streamed body over 1 MiB without Content-Length", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Whitespace then a valid article: only its size is wrong.
        if (sent < 17) controller.enqueue(chunk);
        else if (sent === 17) controller.enqueue(new TextEncoder().encode(JSON.stringify(articleInput())));
        else controller.close();
        sent++;
      },
    });
    const response = await refused(() =>
      request("/api/articles/new-one", {
        method: "PUT",
        headers: { ...AUTH, ...JSON_TYPE },
        body: stream,
        duplex: "half",
      } as RequestInit<IncomingRequestCfProperties>),
    );
    await expectProblem(response, tooLarge);
  });

  it("answers 422 naming every offending field at once", async () => {
    const response = await refused(() =>
      putJson("existing", {
        title: "   ",
        content: 42,
        publishedAt: "2024-02-30T10:00:00Z",
        updatedAt: "yesterday",
        authors: [{ name: "Ann", url: "javascript:alert(1)", role: "editor" }, "Bob"],
        tags: ["World", "Middle East", "!!!", "world"],
        image: "/relative.png",
        language: "english please",
        colour: "red",
        size: 3,
      }),
    );
    await expectProblem(response, {
      title: "Unprocessable Content",
      status: 422,
      detail: "The article has 12 invalid fields.",
      errors: [
        { path: "authors.1", message: "must be a JSON object" },
        { path: "title", message: "must not be empty" },
        { path: "content", message: "must be a string" },
        { path: "publishedAt", message: "must be an RFC 3339 date-time, e.g. 2024-05-17T09:00:00Z" },
        { path: "updatedAt", message: "must be an RFC 3339 date-time, e.g. 2024-05-17T09:00:00Z" },
        { path: "authors.0.url", message: "must be an absolute http(s) URL" },
        { path: "tags.2", message: "must contain a letter or a digit" },
        { path: "image", message: "must be an absolute http(s) URL" },
        { path: "language", message: "must be a BCP 47 language tag, e.g. en or pt-BR" },
        { path: "colour", message: "is not a known field" },
        { path: "size", message: "is not a known field" },
        { path: "authors.0.role", message: "is not a known field" },
      ],
    });
  });

  it("answers 422 for required fields, non-object documents, repeated tags and dates out of order", async () => {
    const cases: [unknown, { path: string; message: string }[]][] = [
      [
        {},
        [
          { path: "title", message: "is required" },
          { path: "content", message: "is required" },
        ],
      ],
      [[], [{ path: "", message: "must be a JSON object" }]],
      [null, [{ path: "", message: "must be a JSON object" }]],
      ["an article", [{ path: "", message: "must be a JSON object" }]],
      [articleInput({ publishedAt: undefined }), [{ path: "publishedAt", message: "is required" }]],
      [
        articleInput({ tags: ["Middle East", "middle-east"] }),
        [{ path: "tags", message: "must not repeat a tag (tags are compared by their URL form)" }],
      ],
      [
        articleInput({ updatedAt: "2023-12-31T23:59:59Z", title: "" }),
        [
          { path: "title", message: "must not be empty" },
          { path: "updatedAt", message: "must not be before publishedAt" },
        ],
      ],
      [articleInput({ slug: "another-slug" }), [{ path: "slug", message: 'must be "new-one", the slug in the URL' }]],
      [
        articleInput({ authors: [{ url: "https://example.com/" }] }),
        [{ path: "authors.0.name", message: "is required" }],
      ],
    ];
    for (const [body, errors] of cases) {
      const response = await refused(() => putJson("new-one", body));
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.headers.get("Content-Type")).toBe(PROBLEM_TYPE);
      const problem = (await response.json()) as { errors: unknown; title: string };
      expect(problem.title).toBe("Unprocessable Content");
      expect(problem.errors, JSON.stringify(body)).toEqual(errors);
    }
  });

  it("lists at most 100 offending fields, and says how many there are", async () => {
    const body: Record<string, unknown> = articleInput();
    for (let i = 0; i < 5000; i++) body[`field${i}`] = i;
    const response = await refused(() => putJson("new-one", body));
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { detail: string; errors: { path: string }[] };
    expect(problem.detail).toBe("The article has 5000 invalid fields. The first 100 are listed.");
    expect(problem.errors).toHaveLength(100);
    expect(problem.errors[0]).toEqual({ path: "field0", message: "is not a known field" });
  });

  it("answers 422 for an id that is not the stored one", async () => {
    const response = await refused(() =>
      putJson("existing", articleInput({ id: "urn:uuid:00000000-0000-5000-8000-000000000000" })),
    );
    expect(response.status).toBe(422);
    expect(((await response.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["id"]);
  });

  it("answers 422 for a slug in the URL that is not a slug", async () => {
    for (const slug of ["Upper-Case", "under_score", "-leading", "double--dash", "a".repeat(101)]) {
      const response = await refused(() => putJson(slug, articleInput()));
      await expectProblem(response, {
        title: "Unprocessable Content",
        status: 422,
        detail: "The slug in the URL is not valid.",
        errors: [{ path: "slug", message: "must match ^[a-z0-9]+(?:-[a-z0-9]+)*$ and be at most 100 characters" }],
      });
    }
  });
});
