// Small SVG charts for the usage page: stacked bars by day, and plain bars.
// Built with DOM calls (no markup strings); each series is a <g> with
// data-series, so a test can tell what was drawn.
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";

  function svgEl(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  function short(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1) + "M";
    if (n >= 1e3) return (n / 1e3).toFixed(n >= 1e4 ? 0 : 1) + "k";
    return String(Math.round(n * 100) / 100);
  }

  function legend(names) {
    const div = document.createElement("div");
    div.className = "legend";
    names.forEach((n, i) => {
      const s = document.createElement("span");
      s.className = "s" + (i % 8);
      s.textContent = n;
      div.appendChild(s);
    });
    return div;
  }

  // stacked: labels (x), series [{name, values[]}] -> a figure with an SVG,
  // one <g data-series=name> of <rect>s per series, stacked per label.
  function stacked(title, labels, series, unit) {
    const W = 720, H = 220, L = 48, B = 28, T = 10;
    const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] || 0), 0));
    const max = niceMax(Math.max(0, ...totals));
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
    const plotH = H - B - T, step = (W - L - 8) / Math.max(1, labels.length);
    for (let k = 0; k <= 4; k++) {
      const y = T + plotH - (plotH * k) / 4;
      svg.appendChild(svgEl("line", { x1: L, x2: W - 4, y1: y, y2: y, class: "axis" }));
      const t = svgEl("text", { x: L - 6, y: y + 4, "text-anchor": "end" });
      t.textContent = short((max * k) / 4);
      svg.appendChild(t);
    }
    const base = labels.map(() => 0);
    series.forEach((s, si) => {
      const g = svgEl("g", { class: "s" + (si % 8), "data-series": s.name });
      labels.forEach((lab, i) => {
        const v = s.values[i] || 0;
        if (v <= 0) return;
        const h = (plotH * v) / max, y = T + plotH - (plotH * base[i]) / max - h;
        const r = svgEl("rect", { x: L + i * step + step * 0.15, y: y, width: step * 0.7, height: Math.max(h, 0.5) });
        const tip = svgEl("title", {});
        tip.textContent = `${s.name} · ${lab}: ${short(v)}${unit ? " " + unit : ""}`;
        r.appendChild(tip);
        g.appendChild(r);
        base[i] += v;
      });
      svg.appendChild(g);
    });
    const every = Math.ceil(labels.length / 10);
    labels.forEach((lab, i) => {
      if (i % every) return;
      const t = svgEl("text", { x: L + i * step + step / 2, y: H - 8, "text-anchor": "middle" });
      t.textContent = lab.length > 7 ? lab.slice(5) : lab;
      svg.appendChild(t);
    });
    const fig = document.createElement("figure");
    fig.className = "chart";
    const cap = document.createElement("figcaption");
    cap.textContent = title;
    fig.appendChild(cap);
    fig.appendChild(svg);
    fig.appendChild(legend(series.map((s) => s.name)));
    return fig;
  }

  window.aixCharts = { stacked: stacked, short: short };
})();
