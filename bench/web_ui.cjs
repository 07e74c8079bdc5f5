// bench/web_ui.sh's measurements, in Debian's chromium through
// puppeteer-core. Usage: web_ui.cjs AIX FAKE RUNS
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const puppeteer = require("puppeteer-core");

const [aix, fake, runsArg] = process.argv.slice(2);
const runs = Number(runsArg) || 20;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}
function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}
const fmt = (xs) => `${median(xs).toFixed(1)} ms (p90 ${pct(xs, 0.9).toFixed(1)})`;

// firstByte: ms from spawning argv to the first byte on its stdout.
function firstByte(argv) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "ignore"] });
    let first = null;
    child.stdout.on("data", () => { if (first === null) first = Number(process.hrtime.bigint() - t0) / 1e6; });
    child.on("exit", (code) => (code === 0 ? resolve(first) : reject(new Error(argv.join(" ") + " exited " + code))));
  });
}

function wall(argv) {
  const t0 = process.hrtime.bigint();
  execFileSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "ignore"] });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main() {
  const url = execFileSync(aix, ["ui", "--no-open"], { encoding: "utf8" }).trim();
  const origin = new URL(url).origin;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "aix-bench-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 800 });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForSelector("#prompts li");

    // Page weight: every byte the page loads (the page, its scripts, style
    // and icon; not the API's answers), from a cold cache.
    await page.setCacheEnabled(false);
    await page.goto(origin + "/ui/?cold=0#/library", { waitUntil: "networkidle0" });
    const files = await page.evaluate(() => [performance.getEntriesByType("navigation")[0],
      ...performance.getEntriesByType("resource")].filter((e) => !e.name.includes("/ui/api/"))
      .map((e) => [new URL(e.name).pathname, e.encodedBodySize]));
    const total = files.reduce((a, [, n]) => a + n, 0);
    console.log("page weight (every file, as sent, cold cache): " + total + " bytes in " + files.length + " files");
    for (const [p, n] of files) console.log("  " + p + "  " + n);

    // The library with 1,000 prompts: first contentful paint, and the list
    // drawn (all 1,000 rows on screen at an animation frame), from a cold
    // cache; beside `aix list` printing the same library.
    const count = (await page.$$eval("#prompts li", (l) => l.length));
    const fcp = [], listed = [], cli = [];
    for (let i = 0; i < runs; i++) {
      // A new document each time (a query string), not a hash change.
      await page.goto(origin + "/ui/?cold=" + (i + 1) + "#/library", { waitUntil: "load" });
      await page.waitForFunction(() => performance.getEntriesByName("aix:library-listed").length > 0, { timeout: 30000 });
      // The frame after the list was built is the one that shows it.
      const t = await page.evaluate(() => new Promise((resolve) => {
        const built = performance.getEntriesByName("aix:library-listed")[0].startTime;
        requestAnimationFrame(() => resolve([built, performance.now(), document.querySelectorAll("#prompts li").length]));
      }));
      if (t[2] !== count) throw new Error("the library showed " + t[2] + " rows");
      listed.push(t[0]);
      fcp.push(await page.evaluate(() => (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime || NaN));
      cli.push(wall([aix, "list"]));
    }
    console.log(`library of ${count} prompts, ${runs} cold loads:`);
    console.log("  first contentful paint:      " + fmt(fcp));
    console.log("  all rows in the page:        " + fmt(listed));
    console.log("  aix list (whole command):    " + fmt(cli));

    // Run to first token on screen, against `aix run` to its first byte,
    // alternating, on the same fake (it answers at once).
    await page.setCacheEnabled(true);
    await page.goto(origin + "/ui/#/run/greet", { waitUntil: "load" });
    await page.waitForSelector("#param-who");
    await page.type("#param-who", "bench");
    const web = [], arrived = [], term = [];
    for (let i = 0; i < runs; i++) {
      await page.click("#run");
      const h = await page.waitForFunction(() => {
        const a = document.querySelector(".answer");
        return a && a.dataset.firstTokenMs && a.dataset.state === "done" ? [a.dataset.firstTextMs, a.dataset.firstTokenMs] : false;
      }, { timeout: 30000, polling: 10 });
      const [text, shown] = await h.jsonValue();
      arrived.push(Number(text));
      web.push(Number(shown));
      term.push(await firstByte([aix, "run", "greet", "--param", "who=bench"]));
    }
    console.log(`press Run to first token on screen, ${runs} runs each, alternating:`);
    console.log("  web page, click to the text in the page:     " + fmt(arrived));
    console.log("  web page, click to the frame that shows it: " + fmt(web));
    console.log("  aix run (spawn to first byte on stdout):     " + fmt(term));
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  void fake;
}

main().catch((e) => { console.error(e); process.exit(1); });
