/**
 * Generator of a benign request corpus for false-positive measurement: browser page and asset
 * loads, JSON API calls, form posts, multipart uploads, with text in many languages. Seeded, so
 * the same corpus comes out every run. `npx tsx tests/waf/corpus/benign.ts > corpus.jsonl` dumps it.
 */
export interface CorpusRequest {
  readonly kind: "browser" | "json-api" | "form" | "upload" | "i18n";
  readonly method: string;
  readonly uri: string;
  readonly headers: Array<[string, string]>;
  /** Body as base64 (binary uploads). */
  readonly body?: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UAS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
];
const LANGS = ["en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "ja-JP,ja;q=0.9", "zh-CN,zh;q=0.9", "ar-SA,ar;q=0.9", "ru-RU,ru;q=0.9", "es-ES,es;q=0.9", "pt-BR,pt;q=0.9"];
const WORDS = ["running shoes", "blue jeans size 32", "coffee maker", "how to bake bread", "best laptop 2024", "wireless headphones", "garden chairs", "kids books", "winter jacket", "usb-c cable 2m", "office desk lamp", "yoga mat", "camping tent 4 person", "rice cooker", "phone case", "Nike Air Max 90", "standing desk", "4k monitor", "mechanical keyboard", "face cream"];
const I18N = [
  "Grüße aus München – schöne Straße", "Ça coûte combien ? Très cher !", "日本語のテキストです。よろしくお願いします。", "中文搜索：手机壳 和 充电器", "مرحبا بالعالم، كيف حالك؟",
  "Привет, мир! Где купить хлеб?", "¿Dónde está la estación de tren?", "Olá, tudo bem? Obrigado!", "한국어 검색어 예시입니다", "Ελληνικά: καλημέρα κόσμε",
  "עברית: שלום עולם", "हिन्दी: नमस्ते दुनिया", "Tiếng Việt: xin chào thế giới", "Türkçe: iyi günler, nasılsınız?", "Polski: zażółć gęślą jaźń", "emoji 🎉👍 party time 🍕",
];
const COMMENTS = [
  "Great product, arrived on time. Would buy again!", "Doesn't fit well - I'd recommend ordering one size up.", "Works as described. 5 stars from me :)",
  "The colour is a bit darker than in the photos, but still nice.", "Customer service was helpful & quick to respond.", "I've had it for 3 months now; no problems so far.",
  "Price/performance is OK. Battery lasts ~10 hours.", "Not bad, not great. It's 50/50 really.", "Bought this as a gift for my mum - she loves it!",
  "Shipping took 2 weeks (expected 5 days).", "Can you ship to Canada? Thanks in advance.", "Q: does it work with 220V? A: yes, it does.",
];
const NAMES = ["Anna Müller", "John O'Brien", "María José García", "Li Wei", "Fatima Al-Sayed", "Olga Ivanova", "Jean-Luc Picard", "Søren Kierkegaard", "Chloé Dubois", "Kenji Tanaka"];
const PATHS = ["/", "/products", "/products/123", "/category/shoes", "/blog/2024/05/summer-sale", "/about-us", "/contact", "/cart", "/checkout", "/account/orders", "/help/faq", "/search"];
const ASSETS = ["/static/app.3f9a1c.js", "/static/styles.css", "/images/hero.webp", "/fonts/inter.woff2", "/favicon.ico", "/images/products/123-large.jpg", "/manifest.json"];

const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
const enc = encodeURIComponent;

function browserHeaders(r: () => number, accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"): Array<[string, string]> {
  const h: Array<[string, string]> = [
    ["Host", "shop.example.com"],
    ["User-Agent", pick(r, UAS)],
    ["Accept", accept],
    ["Accept-Language", pick(r, LANGS)],
    ["Accept-Encoding", "gzip, deflate, br"],
    ["Connection", "keep-alive"],
  ];
  if (r() < 0.7) h.push(["Cookie", `session=${Math.floor(r() * 1e12).toString(36)}; _ga=GA1.2.${Math.floor(r() * 1e9)}.${1700000000 + Math.floor(r() * 1e7)}; theme=dark; consent=analytics%3Dtrue`]);
  if (r() < 0.6) h.push(["Referer", `https://shop.example.com${pick(r, PATHS)}`]);
  if (r() < 0.5) h.push(["Sec-Fetch-Site", "same-origin"], ["Sec-Fetch-Mode", "navigate"]);
  return h;
}

function browser(r: () => number): CorpusRequest {
  if (r() < 0.35) {
    const a = pick(r, ASSETS);
    return { kind: "browser", method: "GET", uri: a + (r() < 0.3 ? `?v=${Math.floor(r() * 1000)}` : ""), headers: browserHeaders(r, a.endsWith(".css") ? "text/css,*/*;q=0.1" : "*/*") };
  }
  const path = pick(r, PATHS);
  const qs: string[] = [];
  if (path === "/search" || r() < 0.3) qs.push(`q=${enc(pick(r, WORDS))}`);
  if (r() < 0.3) qs.push(`page=${1 + Math.floor(r() * 20)}`, `sort=${pick(r, ["price_asc", "price_desc", "newest", "rating"])}`);
  if (r() < 0.2) qs.push(`utm_source=${pick(r, ["newsletter", "google", "facebook"])}`, `utm_medium=${pick(r, ["email", "cpc", "social"])}`, `utm_campaign=spring-sale-2024`);
  if (r() < 0.1) qs.push(`filter[color]=blue`, `filter[size]=M`, `price=10-50`);
  return { kind: "browser", method: "GET", uri: path + (qs.length ? `?${qs.join("&")}` : ""), headers: browserHeaders(r) };
}

function jsonApi(r: () => number): CorpusRequest {
  const h: Array<[string, string]> = [
    ["Host", "api.example.com"], ["User-Agent", pick(r, UAS)], ["Accept", "application/json"], ["Accept-Language", pick(r, LANGS)],
    ["Accept-Encoding", "gzip, deflate, br"], ["Authorization", `Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0${Math.floor(r() * 1e6)}In0.c2lnbmF0dXJl`],
  ];
  const k = Math.floor(r() * 5);
  if (k === 0) return { kind: "json-api", method: "GET", uri: `/api/v2/products?limit=${10 + Math.floor(r() * 90)}&offset=${Math.floor(r() * 500)}&fields=id,name,price`, headers: h };
  const doc = k === 1
    ? { items: [{ sku: `SKU-${Math.floor(r() * 99999)}`, qty: 1 + Math.floor(r() * 3) }, { sku: `SKU-${Math.floor(r() * 99999)}`, qty: 1 }], coupon: r() < 0.3 ? "SPRING10" : null, currency: "EUR" }
    : k === 2
      ? { name: pick(r, NAMES), email: `user${Math.floor(r() * 1e5)}@example.org`, address: { street: "Hauptstraße 12", city: pick(r, ["Berlin", "Zürich", "Paris", "東京", "São Paulo"]), zip: "10115" }, newsletter: r() < 0.5 }
      : k === 3
        ? { rating: 1 + Math.floor(r() * 5), title: pick(r, WORDS), text: pick(r, COMMENTS), lang: "en" }
        : { event: "page_view", ts: 1700000000000 + Math.floor(r() * 1e9), props: { path: pick(r, PATHS), referrer: "https://www.google.com/", screen: "1920x1080", tz: "Europe/Berlin" } };
  const body = Buffer.from(JSON.stringify(doc), "utf8");
  h.push(["Content-Type", "application/json"], ["Content-Length", String(body.length)]);
  return { kind: "json-api", method: pick(r, ["POST", "PUT", "PATCH"]), uri: pick(r, ["/api/v2/cart", "/api/v2/profile", "/api/v2/reviews", "/api/v2/events"]), headers: h, body: body.toString("base64") };
}

function form(r: () => number): CorpusRequest {
  const fields: Array<[string, string]> = pick(r, [
    () => [["username", `user${Math.floor(r() * 1e4)}`], ["password", `Pa55-${Math.floor(r() * 1e6)}x!`], ["remember", "on"]],
    () => [["name", pick(r, NAMES)], ["email", `someone${Math.floor(r() * 1e4)}@example.com`], ["subject", "Question about my order"], ["message", pick(r, COMMENTS)]],
    () => [["comment", pick(r, COMMENTS)], ["rating", String(1 + Math.floor(r() * 5))], ["product_id", String(Math.floor(r() * 1e4))]],
    () => [["first_name", "Anna"], ["last_name", "Müller"], ["street", "Rue de la Paix 5"], ["city", "Genève"], ["postcode", "1204"], ["country", "CH"], ["phone", "+41 22 123 45 67"]],
    () => [["q", pick(r, WORDS)], ["category", "all"]],
  ] as Array<() => Array<[string, string]>>)();
  if (r() < 0.5) fields.push(["csrf_token", Buffer.from(String(r())).toString("base64")]);
  const body = Buffer.from(fields.map(([k, v]) => `${enc(k)}=${enc(v).replace(/%20/g, "+")}`).join("&"), "utf8");
  const h = browserHeaders(r);
  h.push(["Content-Type", "application/x-www-form-urlencoded"], ["Content-Length", String(body.length)], ["Origin", "https://shop.example.com"]);
  return { kind: "form", method: "POST", uri: pick(r, ["/login", "/contact", "/reviews", "/checkout/address", "/search"]), headers: h, body: body.toString("base64") };
}

function upload(r: () => number): CorpusRequest {
  const boundary = `----WebKitFormBoundary${Math.floor(r() * 1e16).toString(36)}`;
  const file = Buffer.alloc(200 + Math.floor(r() * 2000));
  for (let i = 0; i < file.length; i++) file[i] = Math.floor(r() * 256);
  const [fname, ctype, content] = pick(r, [
    ["photo.jpg", "image/jpeg", Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), file])],
    ["avatar.png", "image/png", Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), file])],
    ["notes.txt", "text/plain", Buffer.from(`${pick(r, COMMENTS)}\n${pick(r, I18N)}\n`, "utf8")],
    ["report 2024.pdf", "application/pdf", Buffer.concat([Buffer.from("%PDF-1.7\n"), file])],
  ] as Array<[string, string, Buffer]>);
  const parts = [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${pick(r, WORDS)}\r\n`, "utf8"),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n${pick(r, r() < 0.5 ? COMMENTS : I18N)}\r\n`, "utf8"),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fname}"\r\nContent-Type: ${ctype}\r\n\r\n`, "utf8"),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ];
  const body = Buffer.concat(parts);
  const h = browserHeaders(r, "application/json, text/plain, */*");
  h.push(["Content-Type", `multipart/form-data; boundary=${boundary}`], ["Content-Length", String(body.length)]);
  return { kind: "upload", method: "POST", uri: pick(r, ["/upload", "/account/avatar", "/api/v2/attachments"]), headers: h, body: body.toString("base64") };
}

function i18n(r: () => number): CorpusRequest {
  const text = pick(r, I18N);
  if (r() < 0.5) return { kind: "i18n", method: "GET", uri: `/search?q=${enc(text)}&lang=${pick(r, ["de", "fr", "ja", "zh", "ar", "ru"])}`, headers: browserHeaders(r) };
  const body = Buffer.from(`name=${enc(pick(r, NAMES))}&message=${enc(text)}`, "utf8");
  const h = browserHeaders(r);
  h.push(["Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"], ["Content-Length", String(body.length)]);
  return { kind: "i18n", method: "POST", uri: "/contact", headers: h, body: body.toString("base64") };
}

export function generateBenignCorpus(n = 1200, seed = 20241122): CorpusRequest[] {
  const r = rng(seed);
  const gens = [browser, browser, browser, jsonApi, jsonApi, form, form, upload, i18n, i18n];
  const out: CorpusRequest[] = [];
  for (let i = 0; i < n; i++) out.push(pick(r, gens)(r));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const req of generateBenignCorpus(Number(process.argv[2] ?? 1200))) process.stdout.write(JSON.stringify(req) + "\n");
}
