// Markdown to DOM for answers and prompts. Everything becomes elements and
// text nodes built here; no string is ever parsed as HTML, so a model that
// answers with <script> or <img onerror=...> shows those characters as
// text. Links are kept only for http(s) and mailto targets.
"use strict";
(function () {
  function el(tag, text) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function safeHref(url) {
    return /^(https?:|mailto:)/i.test(url) ? url : null;
  }

  // Inline spans: `code`, **bold**, *em* / _em_, [text](url).
  function inline(parent, text) {
    const re = /(`+)([^`]+?)\1|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\(([^)\s]+)\)/g;
    let last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[2] !== undefined) parent.appendChild(el("code", m[2]));
      else if (m[3] !== undefined || m[4] !== undefined) inline(parent.appendChild(el("strong")), m[3] || m[4]);
      else if (m[5] !== undefined || m[6] !== undefined) inline(parent.appendChild(el("em")), m[5] || m[6]);
      else {
        const href = safeHref(m[8]);
        if (href) {
          const a = el("a", m[7]);
          a.href = href;
          a.rel = "noopener noreferrer";
          a.target = "_blank";
          parent.appendChild(a);
        } else {
          parent.appendChild(document.createTextNode(m[0]));
        }
      }
      last = re.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // render returns a fragment for `source`. An unfinished code fence (the
  // answer is still streaming) shows as code so far.
  function render(source) {
    const out = document.createDocumentFragment();
    const lines = String(source).replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    let para = [];
    const flush = () => {
      if (para.length) inline(out.appendChild(el("p")), para.join("\n"));
      para = [];
    };
    while (i < lines.length) {
      const line = lines[i];
      let m;
      if ((m = /^\s*(```|~~~)\s*([\w+-]*)/.exec(line))) {
        flush();
        const fence = m[1], body = [];
        i++;
        while (i < lines.length && !lines[i].trimStart().startsWith(fence)) body.push(lines[i++]);
        i++;
        const pre = out.appendChild(el("pre"));
        const code = pre.appendChild(el("code", body.join("\n")));
        if (m[2]) code.dataset.lang = m[2];
        continue;
      }
      if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        flush();
        inline(out.appendChild(el("h" + Math.min(6, m[1].length + 2))), m[2]);
        i++;
        continue;
      }
      if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
        flush();
        out.appendChild(el("hr"));
        i++;
        continue;
      }
      if (/^\s*>/.test(line)) {
        flush();
        const body = [];
        while (i < lines.length && /^\s*>/.test(lines[i])) body.push(lines[i++].replace(/^\s*>\s?/, ""));
        out.appendChild(el("blockquote")).appendChild(render(body.join("\n")));
        continue;
      }
      if ((m = /^\s*([-*+]|\d+[.)])\s+/.exec(line))) {
        flush();
        const ordered = /\d/.test(m[1]);
        const list = out.appendChild(el(ordered ? "ol" : "ul"));
        while (i < lines.length && (m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]))) {
          if (/\d/.test(m[1]) !== ordered) break;
          inline(list.appendChild(el("li")), m[2]);
          i++;
        }
        continue;
      }
      if (line.trim() === "") {
        flush();
        i++;
        continue;
      }
      para.push(line);
      i++;
    }
    flush();
    return out;
  }

  window.aixMarkdown = { render: render, inline: inline };
})();
