// Drives aix's web page in a real browser (Debian's chromium, headless,
// through puppeteer-core) against a real aixd and the fake provider, the
// way a user would: sign in through `aix ui`'s link, create a prompt, run
// it, stop a slow run, reply, search the history, look at usage and
// settings. Prints one JSON object of what it saw; web_ui_test.cc judges it.
//
// Environment: AIX_BIN (aix), AIX_FAKE (the fake provider's base URL),
// AIX_SOCKET etc. (the test's aixd), AIX_SCREENSHOTS (where page pictures
// go; optional), CHROMIUM (the browser; /usr/bin/chromium).
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const puppeteer = require("puppeteer-core");

const out = { console_errors: [] };
let current = null;  // the page, to describe when something fails
const shots = process.env.AIX_SCREENSHOTS || "";

function signInUrl() {
  return execFileSync(process.env.AIX_BIN, ["ui", "--no-open"], { encoding: "utf8" }).trim();
}

async function fake(method, p, body) {
  const r = await fetch(process.env.AIX_FAKE + p, {
    method, headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined,
  });
  return r.json();
}

async function shot(page, name) {
  if (!shots) return;
  await new Promise((r) => setTimeout(r, 150));  // let the last paint land
  await page.screenshot({ path: path.join(shots, "ui-" + name + ".png") });
}

async function go(page, hash, ready) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForSelector(ready, { timeout: 15000 });
}

// openRun opens the run form once the provider's model list (which the
// fake answers from the same script queue) has arrived.
async function openRun(page) {
  await go(page, "#/library", "#prompts");
  await go(page, "#/run/kite-facts", "#param-topic");
  await page.waitForFunction(() => document.querySelectorAll("#models option").length > 0, { timeout: 15000 });
  out.models_listed = await page.$$eval("#models option", (o) => o.length);
}

async function main() {
  const url = signInUrl();
  const origin = new URL(url).origin;
  out.sign_in_url_path = new URL(url).pathname;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "aix-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    current = page;
    await page.setViewport({ width: 1200, height: 800 });
    page.on("console", (m) => { if (m.type() === "error") out.console_errors.push(m.text()); });
    page.on("pageerror", (e) => out.console_errors.push(String(e)));
    page.on("dialog", (d) => d.accept());

    // Sign in through the link; the code leaves the address bar.
    const first = await page.goto(url, { waitUntil: "load" });
    await page.waitForSelector("#prompts li", { timeout: 15000 });
    out.after_sign_in = page.url();
    out.sign_in_status = first.status();
    const cookies = await page.cookies();
    const session = cookies.find((c) => c.name === "aix_session") || {};
    out.cookie = { http_only: session.httpOnly, same_site: session.sameSite, path: session.path };
    out.library_names = await page.$$eval("#prompts li", (lis) => lis.map((li) => li.dataset.name));
    await shot(page, "library");

    // The Markdown renderer, fuzzed in the page: pieces of Markdown and of
    // hostile HTML in random order. It must never throw, make an element
    // outside its own small set (or with attributes it does not set), or
    // make a link to anything but http(s) or mailto.
    out.markdown_fuzz = await page.evaluate((cases) => {
      const pieces = ["# ", "## ", "- ", "1. ", "> ", "```", "```js\n", "`", "**", "*", "_", "__", "[a](", "https://x.example/)",
        "javascript:alert(1))", ")", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>", "</b>", "&amp;", "&lt;",
        "\n", "\n\n", "    ", "---", "text", "ü", "\u0000", "\r\n", "<!--", "-->", "<iframe src=//x>", "data:text/html,<b>"];
      const allowed = new Set(["P", "CODE", "PRE", "STRONG", "EM", "A", "H3", "H4", "H5", "H6", "HR", "BLOCKQUOTE", "UL", "OL", "LI"]);
      let seed = 42;
      const rand = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
      const report = { cases, errors: 0, bad_elements: [], bad_links: [] };
      for (let i = 0; i < cases; i++) {
        let input = "";
        for (let k = 0, n = 1 + rand(30); k < n; k++) input += pieces[rand(pieces.length)];
        let frag;
        try { frag = window.aixMarkdown.render(input); } catch (e) { report.errors++; continue; }
        const box = document.createElement("div");
        box.appendChild(frag);
        for (const e of box.querySelectorAll("*")) {
          if (!allowed.has(e.tagName)) report.bad_elements.push(e.tagName);
          if (e.tagName === "A" && !/^(https?:|mailto:)/.test(e.getAttribute("href") || "")) report.bad_links.push(e.getAttribute("href"));
          if (e.attributes.length > (e.tagName === "A" ? 3 : e.tagName === "CODE" ? 1 : 0)) report.bad_elements.push(e.tagName + " with attributes");
        }
      }
      report.bad_elements = [...new Set(report.bad_elements)];
      return report;
    }, 5000);

    // The same link again, from a browser with no session: refused.
    const other = await browser.createBrowserContext();
    const stranger = await other.newPage();
    const again = await stranger.goto(url, { waitUntil: "load" });
    out.second_use = { status: again.status(), text: await stranger.$eval("body", (b) => b.innerText) };
    // No cookie: the sign-in page, which says what to run.
    const bare = await stranger.goto(origin + "/ui/", { waitUntil: "load" });
    out.no_cookie = { status: bare.status(), text: await stranger.$eval("body", (b) => b.innerText),
      has_app: (await stranger.$("#main")) !== null };
    await shot(stranger, "sign-in");
    await other.close();

    // Create a prompt through the form.
    await go(page, "#/new", "#name");
    await page.type("#name", "kite-facts");
    await page.type("#description", "Facts about kites");
    await page.type("#tags", "web, demo");
    await page.type("#template", "Tell me about {topic}");
    await shot(page, "new");
    await page.click("#create");
    await page.waitForFunction(() => location.hash === "#/prompt/kite-facts" && document.querySelector("#template"),
      { timeout: 15000 });
    out.created_template = await page.$eval("#template", (e) => e.textContent);
    await shot(page, "prompt");

    // Run it: the answer arrives in pieces and is shown as it arrives.
    await openRun(page);
    await fake("POST", "/_control/reset");
    await fake("POST", "/_control/script", { responses: [{ chunks: ["Kites ", "fly ", "on ", "wind. ", "The ", "end."], delay_ms: 250 }] });
    await page.type("#param-topic", "kites");
    await page.click("#run");
    await page.waitForFunction(() => {
      const a = document.querySelector(".answer");
      return a && a.textContent.includes("Kites") && !a.textContent.includes("end.");
    }, { timeout: 15000, polling: 20 });
    out.partial_seen = true;
    await page.waitForSelector('.answer[data-state="done"]', { timeout: 15000 });
    out.first_answer = await page.$eval(".answer", (a) => a.textContent);
    out.status_line = await page.$eval("#status", (s) => s.textContent);

    // Reply: the follow-up continues the conversation (the fake echoes it).
    await page.waitForSelector("#reply:not([disabled])", { visible: true, timeout: 5000 });
    await page.type("#reply", "and in <b>storms</b>?");
    await page.click("#send");
    await page.waitForFunction(() => document.querySelectorAll('.answer[data-state="done"]').length === 2, { timeout: 15000 });
    out.reply_answer = await page.$$eval(".answer", (as) => as[1].textContent);
    out.reply_requests = (await fake("GET", "/_control/requests")).map((r) => (r.body.messages || []).length);
    await shot(page, "run");

    // A hostile answer: markup in it is shown as text, nothing runs.
    await openRun(page);
    await page.type("#param-topic", '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">');
    await page.click("#run");
    await page.waitForSelector('.answer[data-state="done"]', { timeout: 15000 });
    out.hostile = await page.evaluate(() => ({
      text: document.querySelector(".answer").textContent,
      scripts: document.querySelectorAll(".answer script, .answer img").length,
      pwned: window.pwned === undefined ? null : window.pwned,
    }));

    // Stop a slow run: the provider sees the stream abandoned.
    await openRun(page);
    await fake("POST", "/_control/reset");
    await fake("POST", "/_control/script", { responses: [{ chunks: Array(40).fill("slow "), delay_ms: 500 }] });
    await page.type("#param-topic", "patience");
    await page.click("#run");
    await page.waitForFunction(() => (document.querySelector(".answer") || {}).textContent?.includes("slow"), { timeout: 15000 });
    await page.click("#stop");
    await page.waitForSelector('.answer[data-state="stopped"]', { timeout: 10000 });
    let abandoned = 0;
    for (let i = 0; i < 50 && abandoned === 0; i++) {
      abandoned = (await fake("GET", "/_control/stats")).abandoned;
      if (!abandoned) await new Promise((r) => setTimeout(r, 100));
    }
    out.stop = { status: await page.$eval("#status", (s) => s.textContent), abandoned };

    // History: find the first run by a word of its answer, marked.
    await go(page, "#/history", "#history-search");
    await page.type("#history-search", "wind");
    await page.click("#history-go");
    await page.waitForSelector('#results[data-query="wind"] li', { timeout: 15000 });
    out.search = await page.evaluate(() => ({
      marks: [...document.querySelectorAll("#results mark")].map((m) => m.textContent),
      items: document.querySelectorAll("#results li").length,
    }));
    await shot(page, "history");
    await page.click("#results li a");
    await page.waitForSelector("#turns .turn", { timeout: 15000 });
    out.conversation_turns = await page.$$eval("#turns .turn", (t) => t.length);
    await shot(page, "conversation");

    // Usage: the charts draw the runs just made.
    await go(page, "#/usage", "#chart-provider svg");
    out.usage = await page.evaluate(() => ({
      provider_series: [...document.querySelectorAll("#chart-provider g[data-series]")].map((g) => [g.dataset.series, g.querySelectorAll("rect").length]),
      model_series: [...document.querySelectorAll("#chart-model g[data-series]")].map((g) => g.dataset.series),
      runs_series: [...document.querySelectorAll("#chart-runs g[data-series]")].map((g) => [g.dataset.series, g.querySelectorAll("rect").length]),
      ttft_series: [...document.querySelectorAll("#chart-ttft g[data-series]")].map((g) => g.dataset.series),
      totals: document.querySelector("#totals").textContent,
    }));
    await shot(page, "usage");

    // Settings: keys masked; a key stored through the password field.
    await go(page, "#/settings", "#providers");
    await page.select("#key-provider", "openai");
    await page.type("#key-value", "test-key-web-openai-5678");
    await page.click("#key-save");
    await page.waitForFunction(() => document.querySelector("#providers")?.textContent.includes("5678"), { timeout: 15000 });
    out.settings = await page.evaluate(() => ({ text: document.body.innerText, html: document.documentElement.outerHTML }));
    out.settings.has_full_key = out.settings.html.includes("test-key-web-openai-5678");
    delete out.settings.html;
    await shot(page, "settings");

    // Edit with a mistake: the error names its line and column; nothing saved.
    await go(page, "#/edit/kite-facts", "#yaml");
    await page.$eval("#yaml", (t) => { t.value = "name: kite-facts\ntemplate: [unclosed\n"; });
    await page.click("#save");
    await page.waitForSelector(".error", { timeout: 15000 });
    out.edit_error = await page.$eval(".error", (e) => e.textContent);
    await shot(page, "edit-error");

    // Delete the prompt.
    await go(page, "#/prompt/kite-facts", "#template");
    await page.click("button.danger");
    await page.waitForFunction(() => location.hash === "#/library", { timeout: 15000 });
    await page.waitForSelector("#prompts", { timeout: 15000 });
    out.after_delete = await page.$$eval("#prompts li", (lis) => lis.map((li) => li.dataset.name));

    // The browser's own requests carried the cookie; now the gate from
    // outside it: a forged Host and a cross-origin POST, with the cookie.
    const cookie = "aix_session=" + session.value;
    const raw = async (p, opts) => {
      const r = await rawRequest(origin, p, opts);
      return { status: r.status, body: r.body.slice(0, 2000) };
    };
    out.forged_host = await raw("/ui/", { headers: { Cookie: cookie, Host: "evil.example:" + new URL(origin).port } });
    out.cross_origin = await raw("/ui/api/DeletePrompt", { method: "POST", body: '{"name":"x"}',
      headers: { Cookie: cookie, Origin: "http://evil.example", "Content-Type": "application/json" } });
    out.same_origin = await raw("/ui/api/ListPrompts", { method: "POST", body: "{}",
      headers: { Cookie: cookie, Origin: origin, "Content-Type": "application/json" } });
    const head = await rawRequest(origin, "/ui/", { headers: { Cookie: cookie } });
    out.page_headers = head.headers;
  } catch (e) {
    if (current) {
      out.failed_at = { url: current.url(), text: await current.$eval("body", (b) => b.innerText).catch(() => "") };
      await shot(current, "failure").catch(() => {});
    }
    throw e;
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// rawRequest speaks HTTP/1.1 itself: fetch() will not forge a Host.
function rawRequest(origin, p, opts) {
  const http = require("node:http");
  const u = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: p, method: opts.method || "GET",
      headers: opts.headers, setHost: !(opts.headers && opts.headers.Host) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

main().then(
  () => { process.stdout.write(JSON.stringify(out) + "\n"); },
  (e) => { out.failure = String(e && e.stack ? e.stack : e); process.stdout.write(JSON.stringify(out) + "\n"); },
);
