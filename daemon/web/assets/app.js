// aix's web page: the library, runs, history, usage and settings, over
// aixd's own API (POST /ui/api/{Method}, the gRPC methods in JSON) and its
// run stream (POST /ui/api/run). One file, no framework: each view is a
// function that builds its part of the page with h() and text nodes only.
"use strict";
(function () {
  const main = document.getElementById("main");
  const md = window.aixMarkdown;
  const charts = window.aixCharts;

  // --- small helpers -------------------------------------------------

  // h(tag, attrs, ...children): children are nodes or strings (as text).
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(e.dataset, v);
      else if (k === "value") e.value = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  // routeGen counts the views begun; a view that finishes its requests
  // after a newer one began does not draw over it.
  let routeGen = 0;

  function show(...nodes) {
    main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
  }

  function toast(text) {
    const t = document.getElementById("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (t.hidden = true), 3000);
  }

  function errorBox(err) {
    return h("p", { class: "error", role: "alert" }, String(err && err.message ? err.message : err));
  }

  function when(ms) {
    const d = new Date(Number(ms));
    return isNaN(d) ? "" : d.toLocaleString();
  }

  // api calls one method of aixd's API; the error carries aixd's message.
  async function api(method, body) {
    const r = await fetch("/ui/api/" + method, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    });
    const j = await r.json().catch(() => ({}));
    if (r.status === 401) location.reload();  // signed out: the sign-in page says what to do
    if (!r.ok) throw new Error((j.error && j.error.message) || r.status + " " + r.statusText);
    return j;
  }

  // runStream starts a run and calls on(event) for each server-sent event
  // ({text}, {notice}, {done}, {error}); the signal stops it (the provider
  // request is cancelled with it).
  async function runStream(request, on, signal) {
    const r = await fetch("/ui/api/run", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
      credentials: "same-origin",
      signal: signal,
    });
    if (!r.ok) {
      const j = await r.json().catch(() => ({}));
      throw new Error((j.error && j.error.message) || r.status + " " + r.statusText);
    }
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        for (const line of block.split("\n")) {
          if (line.startsWith("data: ")) on(JSON.parse(line.slice(6)));
        }
      }
    }
  }

  // mark puts the words of `query` found in `text` in <mark>s.
  function marked(text, query) {
    const words = (query || "").split(/\s+/).filter((w) => w.length > 1)
      .map((w) => w.replace(/[^\p{L}\p{N}_-]/gu, "")).filter(Boolean);
    const span = h("span", {});
    if (!words.length) {
      span.textContent = text;
      return span;
    }
    const re = new RegExp("(" + words.map((w) => w.replace(/[-]/g, "\\-")).join("|") + ")", "giu");
    let last = 0, m;
    while ((m = re.exec(text)) !== null) {
      span.appendChild(document.createTextNode(text.slice(last, m.index)));
      span.appendChild(h("mark", {}, m[0]));
      last = re.lastIndex;
    }
    span.appendChild(document.createTextNode(text.slice(last)));
    return span;
  }

  // excerpt: up to `n` characters around the first word of `query`.
  function excerpt(text, query, n) {
    text = text || "";
    const w = (query || "").split(/\s+/).find((x) => x.length > 1);
    let at = w ? text.toLowerCase().indexOf(w.toLowerCase()) : -1;
    at = Math.max(0, at - n / 3);
    const s = text.slice(at, at + n);
    return (at > 0 ? "…" : "") + s + (at + n < text.length ? "…" : "");
  }

  let providersCache = null;
  async function providers() {
    if (!providersCache) providersCache = (await api("ListProviders")).providers || [];
    return providersCache;
  }

  // --- Library ---------------------------------------------------------

  async function viewLibrary() {
    const gen = routeGen;
    const [list, cols] = await Promise.all([
      api("ListPrompts", { all: true }),
      api("ListCollections").catch(() => ({ collections: [] })),
    ]);
    const prompts = list.prompts || [];
    const tags = [...new Set(prompts.flatMap((p) => p.tags || []))].sort();
    const collections = cols.collections || [];
    const q = h("input", { type: "search", placeholder: "Search prompts", class: "grow", "aria-label": "Search prompts", id: "search" });
    const tag = h("select", { "aria-label": "Tag", id: "tag" }, h("option", { value: "" }, "All tags"),
      tags.map((t) => h("option", { value: t }, t)));
    const col = h("select", { "aria-label": "Collection", id: "collection" }, h("option", { value: "" }, "All collections"),
      collections.map((c) => h("option", { value: c.name }, c.name)));
    const ul = h("ul", { class: "list", id: "prompts" });
    const count = h("p", { class: "muted" });
    const draw = () => {
      const words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
      const inCol = col.value ? new Set((collections.find((c) => c.name === col.value) || {}).prompts || []) : null;
      const shown = prompts.filter((p) =>
        (!tag.value || (p.tags || []).includes(tag.value)) &&
        (!inCol || inCol.has(p.name)) &&
        words.every((w) => (p.name + " " + (p.description || "") + " " + (p.tags || []).join(" ")).toLowerCase().includes(w)));
      const items = shown.slice(0, 5000).map((p) => h("li", { dataset: { name: p.name } },
        h("a", { class: "title", href: "#/prompt/" + encodeURIComponent(p.name) }, p.name), " ",
        (p.tags || []).map((t) => h("span", { class: "tag" }, t)),
        p.description ? h("div", { class: "muted" }, p.description) : null));
      ul.replaceChildren(...items);
      count.textContent = shown.length + " of " + prompts.length + " prompts" +
        (shown.length > 5000 ? " (the first 5,000 shown; search to narrow)" : "");
    };
    for (const x of [q, tag, col]) x.addEventListener("input", draw);
    draw();
    performance.mark("aix:library-listed");
    if (gen !== routeGen) return;  // a newer view has the page
    show(h("h1", {}, "Library"),
      h("div", { class: "row" }, q, tag, col, h("a", { href: "#/new" }, h("button", { type: "button" }, "New prompt"))),
      count, ul,
      (list.problems || []).length ? h("div", {}, h("h2", {}, "Files that did not load"),
        h("ul", {}, list.problems.map((p) => h("li", { class: "error" }, p)))) : null);
    q.focus();
  }

  async function viewPrompt(name) {
    const gen = routeGen;
    const p = await api("GetPrompt", { name: name });
    const del = h("button", { class: "danger", type: "button", onclick: async () => {
      if (!confirm("Delete the prompt " + name + "?")) return;
      try {
        await api("DeletePrompt", { name: name });
        toast("Deleted " + name);
        location.hash = "#/library";
      } catch (e) { main.appendChild(errorBox(e)); }
    } }, "Delete");
    if (gen !== routeGen) return;  // a newer view has the page
    show(h("h1", {}, p.name),
      p.description ? h("p", {}, p.description) : null,
      h("p", {}, (p.tags || []).map((t) => h("span", { class: "tag" }, t))),
      h("div", { class: "row" },
        h("a", { href: "#/run/" + encodeURIComponent(name) }, h("button", { type: "button" }, "Run")),
        h("a", { href: "#/edit/" + encodeURIComponent(name) }, h("button", { class: "plain", type: "button" }, "Edit")),
        del),
      h("h2", {}, "Parameters"),
      (p.variables || []).length ? h("p", {}, p.variables.map((v) => h("code", {}, "{" + v + "} "))) : h("p", { class: "muted" }, "None"),
      p.provider || p.model ? h("p", { class: "muted" }, "Runs with " + [p.provider, p.model].filter(Boolean).join(" / ")) : null,
      p.system ? h("div", {}, h("h2", {}, "System prompt"), h("pre", {}, p.system)) : null,
      h("h2", {}, "Template"), h("pre", { id: "template" }, p.template || ""),
      (p.commands || []).length ? h("p", { class: "muted" },
        "Its commands stay as written when run from this page; `aix run` runs them.") : null);
  }

  function viewNew() {
    const f = {
      name: h("input", { id: "name", required: true, autocomplete: "off" }),
      description: h("input", { id: "description", class: "grow" }),
      tags: h("input", { id: "tags", placeholder: "comma, separated" }),
      template: h("textarea", { id: "template", placeholder: "Write the prompt; {name} marks a parameter." }),
    };
    const out = h("div", {});
    const form = h("form", { onsubmit: async (ev) => {
      ev.preventDefault();
      out.replaceChildren();
      try {
        const prompt = { name: f.name.value.trim(), description: f.description.value, template: f.template.value,
          tags: f.tags.value.split(",").map((t) => t.trim()).filter(Boolean) };
        await api("CreatePrompt", { prompt: prompt });
        toast("Created " + prompt.name);
        location.hash = "#/prompt/" + encodeURIComponent(prompt.name);
      } catch (e) { out.appendChild(errorBox(e)); }
    } },
    h("label", { for: "name" }, "Name"), f.name,
    h("label", { for: "description" }, "Description"), f.description,
    h("label", { for: "tags" }, "Tags"), f.tags,
    h("label", { for: "template" }, "Template"), f.template,
    h("div", { class: "row" }, h("button", { type: "submit", id: "create" }, "Create")), out);
    show(h("h1", {}, "New prompt"), form);
    f.name.focus();
  }

  async function viewEdit(name) {
    const gen = routeGen;
    const p = await api("GetPrompt", { name: name });
    const text = h("textarea", { class: "yaml", id: "yaml", spellcheck: "false" });
    text.value = p.yaml || "";
    const out = h("div", {});
    if (gen !== routeGen) return;  // a newer view has the page
    show(h("h1", {}, "Edit " + name),
      h("p", { class: "muted" }, "The prompt's file, checked as `aix edit` checks it: nothing is saved unless it is valid."),
      h("form", { onsubmit: async (ev) => {
        ev.preventDefault();
        out.replaceChildren();
        try {
          await api("ReplacePromptYaml", { name: name, yaml: text.value });
          toast("Saved " + name);
          location.hash = "#/prompt/" + encodeURIComponent(name);
        } catch (e) { out.appendChild(errorBox(e)); }
      } }, text, h("div", { class: "row" }, h("button", { type: "submit", id: "save" }, "Save"),
        h("a", { href: "#/prompt/" + encodeURIComponent(name) }, "Cancel")), out));
  }

  // --- Run -------------------------------------------------------------

  // A conversation on screen: its turns, and the follow-up box.
  function conversationPane(first) {
    const pane = h("div", { id: "conversation" });
    const status = h("div", { class: "status", id: "status" });
    let conversationId = 0, controller = null;
    const stop = h("button", { class: "danger", type: "button", id: "stop", disabled: true,
      onclick: () => controller && controller.abort() }, "Stop");
    const reply = h("textarea", { id: "reply", placeholder: "Reply to continue the conversation", rows: 3 });
    const send = h("button", { type: "button", id: "send", disabled: true }, "Reply");
    const follow = h("div", { id: "follow", hidden: true }, reply, h("div", { class: "row" }, send));

    async function turn(request, userText) {
      if (userText) pane.appendChild(h("div", { class: "turn" }, h("div", { class: "who" }, "You"), h("pre", {}, userText)));
      const answer = h("div", { class: "answer", dataset: { state: "streaming" } });
      pane.appendChild(h("div", { class: "turn" }, h("div", { class: "who" }, "Answer"), answer));
      let text = "";
      controller = new AbortController();
      stop.disabled = false;
      send.disabled = true;
      status.textContent = "Waiting for the provider…";
      const t0 = performance.now();
      let painted = false;
      try {
        await runStream(request, (ev) => {
          if (ev.text !== undefined) {
            text += ev.text;
            answer.replaceChildren(md.render(text));
            if (!painted) {
              painted = true;
              answer.dataset.firstTextMs = (performance.now() - t0).toFixed(1);
              status.textContent = "Streaming…";
              // On screen at the next frame: that is when the user sees it.
              requestAnimationFrame(() => {
                answer.dataset.firstTokenMs = (performance.now() - t0).toFixed(1);
              });
            }
          } else if (ev.notice) {
            status.textContent = ev.notice;
          } else if (ev.done) {
            const d = ev.done;
            conversationId = Number(d.conversation_id) || conversationId;
            answer.dataset.runId = d.run_id;
            status.textContent = [d.provider + " / " + d.model,
              d.prompt_tokens !== undefined ? d.prompt_tokens + " + " + d.completion_tokens + " tokens" : "",
              "first token " + Math.round(Number(d.time_to_first_token_us) / 1000) + " ms",
              d.run_id && Number(d.run_id) ? "run " + d.run_id : ""].filter(Boolean).join(" · ");
          } else if (ev.error) {
            throw new Error(ev.error.message);
          }
        }, controller.signal);
        answer.dataset.state = "done";
      } catch (e) {
        if (e.name === "AbortError") {
          answer.dataset.state = "stopped";
          status.textContent = "Stopped; the provider's request was cancelled.";
        } else {
          answer.dataset.state = "failed";
          answer.appendChild(errorBox(e));
          status.textContent = "";
        }
      } finally {
        stop.disabled = true;
        controller = null;
        if (conversationId) {
          follow.hidden = false;
          send.disabled = false;
        }
      }
    }

    send.addEventListener("click", () => {
      const text = reply.value.trim();
      if (!text) return;
      reply.value = "";
      turn({ conversation_id: conversationId, messages: [{ role: "user", content: text }] }, text);
    });
    return { node: h("div", {}, h("div", { class: "row" }, stop), status, pane, follow),
      // start begins a new conversation in the pane.
      start: (request) => {
        pane.replaceChildren();
        conversationId = 0;
        follow.hidden = true;
        return turn(request);
      },
      setConversation: (id) => { conversationId = id; follow.hidden = !id; send.disabled = !id; } };
  }

  async function viewRun(name, preset) {
    const gen = routeGen;
    const [p, provs] = await Promise.all([api("GetPrompt", { name: name }), providers()]);
    preset = preset || {};
    const inputs = {};
    const fields = (p.variables || []).map((v) => {
      const big = /text|input|content|code|body|diff|document/i.test(v);
      inputs[v] = h(big ? "textarea" : "input", { id: "param-" + v, name: v, rows: big ? 4 : undefined });
      if (preset.params && preset.params[v] !== undefined) inputs[v].value = preset.params[v];
      return h("div", {}, h("label", { for: "param-" + v }, v), inputs[v]);
    });
    const provider = h("select", { id: "provider", "aria-label": "Provider" },
      h("option", { value: "" }, "Default" + (p.provider ? " (" + p.provider + ")" : "")),
      provs.map((x) => h("option", { value: x.name }, x.name + (x.is_default ? " (default)" : ""))));
    if (preset.provider) provider.value = preset.provider;
    const models = h("datalist", { id: "models" });
    const model = h("input", { id: "model", list: "models", placeholder: p.model || "the provider's default model", "aria-label": "Model" });
    if (preset.model) model.value = preset.model;
    const loadModels = async () => {
      models.replaceChildren();
      const chosen = provider.value || p.provider || (provs.find((x) => x.is_default) || {}).name;
      if (!chosen) return;
      try {
        const r = await api("ListModels", { provider: chosen });
        models.replaceChildren(...(r.models || []).slice(0, 2000).map((m) => h("option", { value: m })));
      } catch (e) { /* a provider without a model list: type one */ }
    };
    provider.addEventListener("change", loadModels);
    loadModels();
    const conv = conversationPane();
    const go = h("button", { type: "submit", id: "run" }, "Run");
    const form = h("form", { onsubmit: (ev) => {
      ev.preventDefault();
      const params = {};
      for (const v in inputs) params[v] = inputs[v].value;
      conv.start({ prompt: name, params: params, provider: provider.value, model: model.value.trim() });
    } }, fields, h("div", { class: "row" }, provider, model, models, go));
    if (gen !== routeGen) return;  // a newer view has the page
    show(h("h1", {}, "Run ", h("a", { href: "#/prompt/" + encodeURIComponent(name) }, name)),
      p.description ? h("p", { class: "muted" }, p.description) : null, form, conv.node);
  }

  // --- History ---------------------------------------------------------

  async function viewHistory(params) {
    const gen = routeGen;
    const q = h("input", { type: "search", id: "history-search", placeholder: "Search prompts and answers", class: "grow", value: params.get("q") || "" });
    const prompt = h("input", { id: "f-prompt", placeholder: "prompt", value: params.get("prompt") || "", size: 12 });
    const provs = await providers().catch(() => []);
    const provider = h("select", { id: "f-provider" }, h("option", { value: "" }, "any provider"),
      provs.map((x) => h("option", { value: x.name }, x.name)));
    provider.value = params.get("provider") || "";
    const model = h("input", { id: "f-model", placeholder: "model", value: params.get("model") || "", size: 14 });
    const failed = h("input", { type: "checkbox", id: "f-failed" });
    failed.checked = params.get("failed") === "1";
    const since = h("input", { type: "date", id: "f-since", value: params.get("since") || "" });
    const until = h("input", { type: "date", id: "f-until", value: params.get("until") || "" });
    const results = h("div", { id: "results", dataset: { query: q.value.trim() } });
    const apply = () => {
      const s = new URLSearchParams();
      for (const [k, x] of [["q", q], ["prompt", prompt], ["provider", provider], ["model", model], ["since", since], ["until", until]]) {
        if (x.value) s.set(k, x.value);
      }
      if (failed.checked) s.set("failed", "1");
      location.hash = "#/history?" + s.toString();
    };
    const form = h("form", { onsubmit: (ev) => { ev.preventDefault(); apply(); } },
      h("div", { class: "row" }, q, h("button", { type: "submit", id: "history-go" }, "Search")),
      h("div", { class: "row" }, prompt, provider, model, h("label", { for: "f-failed" }, failed, " failed only"),
        "from", since, "to", until));
    if (gen !== routeGen) return;  // a newer view has the page
    show(h("h1", {}, "History"), form, results);
    const untilMs = until.value ? Date.parse(until.value) + 86400000 : Infinity;
    const sinceMs = since.value ? Date.parse(since.value) : 0;
    try {
      if (q.value.trim()) {
        const r = await api("SearchRuns", { query: q.value.trim(), limit: 100 });
        const runs = (r.runs || []).filter((x) =>
          (!prompt.value || x.prompt === prompt.value) && (!provider.value || x.provider === provider.value) &&
          (!model.value || x.model === model.value) && (!failed.checked || x.outcome !== "ok") &&
          Number(x.started_unix_ms) >= sinceMs && Number(x.started_unix_ms) < untilMs);
        results.replaceChildren(h("p", { class: "muted" }, runs.length + (runs.length === 1 ? " run matches" : " runs match")),
          h("ul", { class: "list" }, runs.map((x) => h("li", { dataset: { run: x.id } },
            h("a", { class: "title", href: "#/conversation/" + x.id }, (x.prompt || "(no prompt)") + " · " + when(x.started_unix_ms)),
            " ", h("span", { class: "muted" }, x.provider + " / " + x.model),
            h("div", {}, marked(excerpt(x.answer || x.error_message || "", q.value, 240), q.value))))));
        return;
      }
      const r = await api("ListConversations", { prompt: prompt.value, provider: provider.value, model: model.value,
        failed_only: failed.checked, since_unix_ms: sinceMs, limit: 100 });
      const convs = (r.conversations || []).filter((c) => Number(c.started_unix_ms) < untilMs);
      results.replaceChildren(h("p", { class: "muted" }, convs.length + (convs.length === 1 ? " conversation" : " conversations")),
        h("ul", { class: "list" }, convs.map((c) => h("li", { dataset: { conversation: c.id } },
          h("a", { class: "title", href: "#/conversation/" + c.id }, (c.first && c.first.prompt) || "(no prompt)"),
          " ", h("span", { class: "muted" }, when(c.updated_unix_ms) + " · " + c.turns + " turn" + (c.turns == 1 ? "" : "s") +
            " · " + ((c.last && c.last.provider) || "") + " / " + ((c.last && c.last.model) || "")),
          c.last && c.last.outcome !== "ok" ? h("span", { class: "bad" }, " failed") : null,
          h("div", {}, excerpt((c.last && (c.last.answer || c.last.error_message)) || "", "", 200))))));
    } catch (e) { results.replaceChildren(errorBox(e)); }
  }

  async function viewConversation(id) {
    const gen = routeGen;
    const c = await api("GetConversation", { id: id });
    const runs = c.runs || [];
    const conv = conversationPane();
    const turns = runs.map((r) => h("div", { class: "turn", dataset: { run: r.id } },
      h("div", { class: "who" }, "You · " + when(r.started_unix_ms) + (r.prompt ? " · " + r.prompt : "")),
      h("pre", {}, r.rendered || ""),
      h("div", { class: "who" }, "Answer · " + r.provider + " / " + r.model +
        (r.prompt_tokens !== undefined ? " · " + r.prompt_tokens + " + " + r.completion_tokens + " tokens" : "")),
      r.outcome === "ok" ? h("div", { class: "answer" }, md.render(r.answer || ""))
        : h("div", { class: "answer" }, md.render(r.answer || ""), errorBox(r.error_message || r.outcome))));
    const first = runs[0] || {};
    const rerun = first.prompt ? h("button", { class: "plain", type: "button", id: "rerun", onclick: () => {
      sessionStorage.setItem("aix-rerun", JSON.stringify({ params: first.params || {}, provider: first.provider, model: first.model }));
      location.hash = "#/run/" + encodeURIComponent(first.prompt) + "?rerun=1";
    } }, "Rerun") : null;
    const del = h("button", { class: "danger", type: "button", id: "delete", onclick: async () => {
      if (!confirm("Delete this conversation from the history?")) return;
      try {
        await api("DeleteRuns", { ids: [id], conversations: true });
        toast("Deleted");
        location.hash = "#/history";
      } catch (e) { main.appendChild(errorBox(e)); }
    } }, "Delete");
    if (gen !== routeGen) return;  // a newer view has the page
    show(h("h1", {}, "Conversation " + c.id), h("p", { class: "muted" }, c.turns + " turns · " + when(c.started_unix_ms) +
      " · " + c.prompt_tokens + " + " + c.completion_tokens + " tokens"),
      h("div", { class: "row" }, rerun, del), h("div", { id: "turns" }, turns), conv.node);
    conv.setConversation(Number(c.id));
  }

  // --- Usage -------------------------------------------------------------

  async function viewUsage(params) {
    const gen = routeGen;
    const days = Number(params.get("days")) || 30;
    const since = Date.now() - days * 86400000;
    const r = await api("GetUsage", { since_unix_ms: since });
    const rows = r.rows || [];
    const labels = [];
    for (let t = since; t <= Date.now() + 3600000; t += 86400000) labels.push(new Date(t).toISOString().slice(0, 10));
    const byKey = (key, value) => {
      const names = [...new Set(rows.map(key))].sort();
      return names.map((n) => ({ name: n, values: labels.map((d) => rows.filter((x) => x.period === d && key(x) === n)
        .reduce((s, x) => s + value(x), 0)) }));
    };
    const tokens = (x) => Number(x.prompt_tokens) + Number(x.completion_tokens);
    const total = rows.reduce((s, x) => s + tokens(x), 0);
    const cost = rows.filter((x) => x.cost !== undefined).reduce((s, x) => s + Number(x.cost), 0);
    const failedRuns = rows.reduce((s, x) => s + Number(x.failed_runs || 0), 0);
    const runs = rows.reduce((s, x) => s + Number(x.runs), 0);
    // Time to first token by provider: the mean over days, weighted by the
    // successful runs of each row.
    const ttft = [...new Set(rows.map((x) => x.provider))].sort().map((n) => {
      const mine = rows.filter((x) => x.provider === n && Number(x.mean_ttft_ms) > 0);
      const w = mine.reduce((s, x) => s + (Number(x.runs) - Number(x.failed_runs || 0)), 0);
      return { name: n, values: [w ? mine.reduce((s, x) => s + Number(x.mean_ttft_ms) * (Number(x.runs) - Number(x.failed_runs || 0)), 0) / w : 0] };
    });
    const pick = h("select", { id: "days", onchange: (ev) => (location.hash = "#/usage?days=" + ev.target.value) },
      [7, 30, 90, 365].map((d) => h("option", { value: d }, "last " + d + " days")));
    pick.value = String(days);
    if (gen !== routeGen) return;  // a newer view has the page
    show(h("h1", {}, "Usage"), h("div", { class: "row" }, pick,
      h("span", { class: "muted", id: "totals" }, runs + " runs · " + failedRuns + " failed · " + charts.short(total) + " tokens" +
        (cost ? " · cost " + cost.toFixed(4) : ""))),
      rows.length ? null : h("p", { class: "muted" }, "No runs in this period."),
      h("div", { id: "chart-provider" }, charts.stacked("Tokens per day, by provider", labels, byKey((x) => x.provider, tokens), "tokens")),
      h("div", { id: "chart-model" }, charts.stacked("Tokens per day, by model", labels, byKey((x) => x.provider + "/" + x.model, tokens), "tokens")),
      cost ? h("div", { id: "chart-cost" }, charts.stacked("Cost per day, by provider (where the provider reports it)", labels,
        byKey((x) => x.provider, (x) => Number(x.cost || 0)), "")) : null,
      h("div", { id: "chart-runs" }, charts.stacked("Runs per day", labels, [
        { name: "succeeded", values: labels.map((d) => rows.filter((x) => x.period === d).reduce((s, x) => s + Number(x.runs) - Number(x.failed_runs || 0), 0)) },
        { name: "failed", values: labels.map((d) => rows.filter((x) => x.period === d).reduce((s, x) => s + Number(x.failed_runs || 0), 0)) }], "runs")),
      h("div", { id: "chart-ttft" }, charts.stacked("Mean time to first token, by provider (ms)", ttft.map((x) => x.name),
        ttft.map((x, i) => ({ name: x.name, values: ttft.map((_, j) => (i === j ? x.values[0] : 0)) })), "ms")));
  }

  // --- Providers and settings ------------------------------------------

  async function viewSettings() {
    const gen = routeGen;
    const [provs, keys, settings] = await Promise.all([providers(), api("ListKeys"), api("ListSettings")]);
    const keyOf = {};
    for (const k of keys.keys || []) keyOf[k.provider] = k.masked;
    const which = h("select", { id: "key-provider" }, provs.map((p) => h("option", { value: p.name }, p.name)));
    const secret = h("input", { type: "password", id: "key-value", autocomplete: "off", placeholder: "API key", class: "grow" });
    const out = h("div", {});
    if (gen !== routeGen) return;  // a newer view has the page
    show(h("h1", {}, "Providers & settings"),
      h("table", { id: "providers" }, h("tr", {}, h("th", {}, "Provider"), h("th", {}, "Default model"), h("th", {}, "Key"), h("th", {}, "URL")),
        provs.map((p) => h("tr", {}, h("td", {}, p.name + (p.is_default ? " (default)" : "")), h("td", {}, p.default_model || ""),
          h("td", {}, h("code", {}, keyOf[p.name] || p.masked_key || "none")), h("td", { class: "muted" }, p.chat_url || p.base_url || "")))),
      h("h2", {}, "Store a key"),
      h("form", { onsubmit: async (ev) => {
        ev.preventDefault();
        out.replaceChildren();
        try {
          const k = await api("SetKey", { provider: which.value, key: secret.value });
          secret.value = "";
          providersCache = null;
          toast("Stored the key for " + k.provider + " (" + k.masked + ")");
          viewSettings();
        } catch (e) { out.appendChild(errorBox(e)); }
      } }, h("div", { class: "row" }, which, secret, h("button", { type: "submit", id: "key-save" }, "Store")), out),
      h("p", { class: "muted" }, "Stored in " + (settings.config_path || "config.json") + " (mode 600); shown masked everywhere."),
      h("h2", {}, "Settings"), h("p", { class: "muted" }, "Change them with aix config --set KEY VALUE."),
      h("table", { id: "settings" }, (settings.settings || []).map((s) => h("tr", {},
        h("td", {}, h("code", {}, s.key)), h("td", {}, s.secret ? "(secret)" : s.value), h("td", { class: "muted" }, s.description || "")))));
  }

  // --- Routing -----------------------------------------------------------

  async function route() {
    const gen = ++routeGen;
    const hash = location.hash || "#/library";
    const [path, query] = hash.slice(1).split("?");
    const params = new URLSearchParams(query || "");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const view = parts[0] || "library";
    for (const a of document.querySelectorAll("nav a")) {
      a.classList.toggle("active", a.dataset.view === (view === "prompt" || view === "run" || view === "new" || view === "edit" ? "library" :
        view === "conversation" ? "history" : view));
    }
    try {
      if (view === "library") await viewLibrary();
      else if (view === "prompt") await viewPrompt(parts[1]);
      else if (view === "new") viewNew();
      else if (view === "edit") await viewEdit(parts[1]);
      else if (view === "run") {
        let preset = null;
        if (params.get("rerun")) {
          preset = JSON.parse(sessionStorage.getItem("aix-rerun") || "null");
          sessionStorage.removeItem("aix-rerun");
        }
        await viewRun(parts[1], preset);
      } else if (view === "history") await viewHistory(params);
      else if (view === "conversation") await viewConversation(Number(parts[1]));
      else if (view === "usage") await viewUsage(params);
      else if (view === "settings") await viewSettings();
      else show(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/library" }, "Back to the library")));
    } catch (e) {
      if (gen === routeGen) show(h("h1", {}, "Something went wrong"), errorBox(e));
    }
    document.body.dataset.view = view;
  }

  window.addEventListener("hashchange", route);
  route();
})();
