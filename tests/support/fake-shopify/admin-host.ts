/**
 * The browser half of the fake: a page standing in for the Shopify admin that frames the app,
 * and the App Bridge script standing in for Shopify's CDN copy. The script does for the app what
 * the real one does that Wafa uses: session tokens (idToken and an authenticated fetch), the
 * session-token bounce page, the navigation menu, title bar and toasts. Tokens come from the
 * admin page over postMessage; the app's frame never sees the app secret.
 */
import crypto from "node:crypto";
import type { FakeShop, FakeStaff } from "./store";
import { mintSessionToken } from "./session-tokens";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Shopify signs the query it opens an app with: hex HMAC-SHA256 of the sorted params. */
export function signAdminQuery(params: Record<string, string>, secret: string): string {
  const message = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
  return crypto.createHmac("sha256", secret).update(message).digest("hex");
}

/** The URL the admin opens an embedded app at: signed query, fresh id_token, the staff member's locale. */
export function adminFrameUrl(input: { shop: FakeShop; staff: FakeStaff; appUrl: string; apiKey: string; apiSecret: string; appPath?: string }): string {
  const { shop, staff, apiKey, apiSecret } = input;
  const storeName = shop.domain.replace(".myshopify.com", "");
  const host = Buffer.from(`admin.shopify.com/store/${storeName}`).toString("base64url");
  const params: Record<string, string> = {
    embedded: "1",
    host,
    id_token: mintSessionToken({ apiKey, apiSecret, shop: shop.domain, sub: staff.id }),
    locale: staff.locale,
    session: crypto.randomBytes(16).toString("hex"),
    shop: shop.domain,
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  params.hmac = signAdminQuery(params, apiSecret);
  return `${input.appUrl.replace(/\/$/, "")}/app${input.appPath ?? ""}?${new URLSearchParams(params).toString()}`;
}

export function adminHostPage(input: {
  shop: FakeShop;
  staff: FakeStaff;
  appUrl: string;
  apiKey: string;
  apiSecret: string;
  appPath: string;
  fakeUrl: string;
}): string {
  const { shop, staff, appUrl } = input;
  const frameSrc = adminFrameUrl(input);
  const rtl = staff.locale.startsWith("ar");
  const staffLinks = shop.staff
    .map((s) => `<a class="${s.id === staff.id ? "on" : ""}" href="?staff=${s.id}">${escapeHtml(s.firstName)} (${escapeHtml(s.locale)})</a>`)
    .join(" ");
  return `<!doctype html>
<html lang="${escapeHtml(staff.locale)}" dir="${rtl ? "rtl" : "ltr"}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(shop.name)} · Wafa · Shopify admin (local)</title>
<style>
  html, body { margin: 0; height: 100%; font-family: system-ui, "Noto Sans Arabic", sans-serif; background: #f1f1f1; }
  header { height: 48px; background: #1a1a1a; color: #fff; display: flex; align-items: center; gap: 16px; padding: 0 16px; }
  header .store { font-weight: 600; }
  header .staff { margin-inline-start: auto; font-size: 13px; }
  header .staff a { color: #ccc; margin-inline-start: 8px; }
  header .staff a.on { color: #fff; font-weight: 600; }
  .shell { display: flex; height: calc(100% - 48px); }
  nav { width: 220px; background: #ebebeb; padding: 12px; box-sizing: border-box; }
  nav .app { font-weight: 600; margin: 8px 0; }
  nav a { display: block; padding: 6px 8px; border-radius: 8px; color: #303030; text-decoration: none; font-size: 14px; }
  nav a.active { background: #fff; }
  iframe { flex: 1; border: 0; background: #f1f1f1; }
  #toast { position: fixed; bottom: 24px; inset-inline-start: 50%; transform: translateX(-50%); background: #1a1a1a; color: #fff; padding: 10px 16px; border-radius: 8px; display: none; }
</style>
</head>
<body>
<header><span class="store">${escapeHtml(shop.name)}</span><span>Shopify admin · local demo</span><span class="staff">${staffLinks}</span></header>
<div class="shell">
  <nav><div class="app">Wafa</div><div id="app-nav"></div></nav>
  <iframe id="app-frame" name="app-iframe" title="Wafa" src="${escapeHtml(frameSrc)}"></iframe>
</div>
<div id="toast" role="status"></div>
<script>
(() => {
  const appOrigin = ${JSON.stringify(new URL(appUrl).origin)};
  const shop = ${JSON.stringify(shop.domain)};
  const staff = ${JSON.stringify(staff.id)};
  const frame = document.getElementById("app-frame");
  const nav = document.getElementById("app-nav");
  let cached = null;
  async function token() {
    if (cached && cached.until > Date.now()) return cached.token;
    const response = await fetch("/admin/session-token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ shop, staff }) });
    const body = await response.json();
    cached = { token: body.token, until: Date.now() + 40000 };
    return body.token;
  }
  window.addEventListener("message", async (event) => {
    if (event.origin !== appOrigin || !event.data || event.data.source !== "wafa-app-bridge") return;
    const message = event.data;
    if (message.type === "idToken") {
      frame.contentWindow.postMessage({ source: "wafa-admin", type: "idToken", id: message.id, token: await token() }, appOrigin);
    } else if (message.type === "nav") {
      nav.replaceChildren(...message.items.map((item) => {
        const a = document.createElement("a");
        a.href = "#"; a.textContent = item.label; a.dataset.href = item.href;
        a.addEventListener("click", (e) => { e.preventDefault(); frame.contentWindow.postMessage({ source: "wafa-admin", type: "navigate", href: item.href }, appOrigin); });
        return a;
      }));
    } else if (message.type === "location") {
      for (const a of nav.querySelectorAll("a")) a.classList.toggle("active", a.dataset.href === message.pathname);
    } else if (message.type === "toast") {
      const el = document.getElementById("toast");
      el.textContent = message.message; el.style.display = "block";
      clearTimeout(el._t); el._t = setTimeout(() => { el.style.display = "none"; }, message.duration || 5000);
    } else if (message.type === "title") {
      document.title = message.title + " · Wafa";
    }
  });
})();
</script>
</body>
</html>`;
}

/** The App Bridge stand-in served at /cdn/app-bridge.js. */
export function appBridgeScript(): string {
  return `(() => {
  if (window.shopify && window.shopify.__wafaFake) return;
  const script = document.currentScript;
  const apiKey = script && script.getAttribute("data-api-key");
  const params = new URLSearchParams(location.search);
  const parentWindow = window.parent !== window ? window.parent : null;
  const pending = new Map();
  let nextId = 1;
  const post = (message) => parentWindow && parentWindow.postMessage({ source: "wafa-app-bridge", ...message }, "*");
  window.addEventListener("message", (event) => {
    if (event.source !== parentWindow || !event.data || event.data.source !== "wafa-admin") return;
    const message = event.data;
    if (message.type === "idToken" && pending.has(message.id)) {
      pending.get(message.id)(message.token);
      pending.delete(message.id);
    } else if (message.type === "navigate") {
      const link = document.querySelector('ui-nav-menu a[href="' + message.href + '"]');
      if (link) link.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
      else location.assign(message.href);
    }
  });
  function idToken() {
    if (!parentWindow) return Promise.reject(new Error("App Bridge: the app is not embedded in the admin"));
    return new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      post({ type: "idToken", id });
    });
  }
  // Like App Bridge, requests to the app's own origin carry a fresh session token.
  const realFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url, location.href);
    if (url.origin === location.origin && !request.headers.has("Authorization") && parentWindow) {
      const headers = new Headers(request.headers);
      headers.set("Authorization", "Bearer " + (await idToken()));
      return realFetch(new Request(request, { headers }));
    }
    return realFetch(request);
  };
  window.shopify = {
    __wafaFake: true,
    config: { apiKey, shop: params.get("shop"), host: params.get("host"), locale: params.get("locale") || "en" },
    environment: { embedded: !!parentWindow, mobile: false, pos: false },
    idToken,
    toast: { show: (message, options) => { post({ type: "toast", message, duration: options && options.duration }); return "toast"; }, hide: () => {} },
    loading: () => {},
    saveBar: { show: async () => {}, hide: async () => {}, toggle: async () => {}, leaveConfirmation: async () => {} },
  };
  // The session-token bounce page: come back to the page asked for, with a token.
  const reload = params.get("shopify-reload");
  if (reload) {
    idToken().then((token) => {
      const target = new URL(reload, location.href);
      target.searchParams.set("id_token", token);
      location.replace(target.toString());
    });
  }
  function publishNav(menu) {
    const items = Array.from(menu.querySelectorAll("a")).map((a) => ({ href: a.getAttribute("href"), label: a.textContent.trim(), rel: a.getAttribute("rel") }));
    post({ type: "nav", items });
  }
  class NavMenu extends HTMLElement {
    connectedCallback() {
      this.style.display = "none";
      publishNav(this);
      this._observer = new MutationObserver(() => publishNav(this));
      this._observer.observe(this, { childList: true, subtree: true, characterData: true });
    }
    disconnectedCallback() { if (this._observer) this._observer.disconnect(); }
  }
  class TitleBar extends HTMLElement {
    connectedCallback() { this.style.display = "none"; post({ type: "title", title: this.getAttribute("title") || "" }); }
  }
  if (!customElements.get("ui-nav-menu")) customElements.define("ui-nav-menu", NavMenu);
  if (!customElements.get("ui-title-bar")) customElements.define("ui-title-bar", TitleBar);
  let lastPath = null;
  setInterval(() => { if (location.pathname !== lastPath) { lastPath = location.pathname; post({ type: "location", pathname: lastPath }); } }, 250);
})();
`;
}
