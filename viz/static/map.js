/* graph-service map: draws the JSON embedded by viz/maps.py with vis-network.
 *
 * Data never goes through innerHTML: every text from the graph is written with textContent,
 * and vis-network 9 shows a string `title` as plain text (innerText).
 *
 * Exposes window.graphService = {network, nodes, edges, view, data, ready, search(q),
 * select(id), normalise(s), setFilter(group, value, on)}; document.body.dataset.nodes holds
 * the node count, document.body.dataset.ready becomes "true" after the first drawing.
 */
(function () {
  "use strict";

  var gs = (window.graphService = { ready: false });
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var meta = data.meta;
  gs.data = meta;
  document.body.dataset.nodes = String(data.nodes.length);
  document.body.dataset.edges = String(data.edges.length);

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // -- search key: the same normalisation as graph_service.domain.normalise_name ------------
  function normalise(s) {
    return String(s || "")
      .normalize("NFKC")
      .replace(/[\u0E50-\u0E59]/g, function (d) {
        return String.fromCharCode(d.charCodeAt(0) - 0x0e50 + 48);
      })
      .replace(/\s+/g, " ")
      .trim()
      .toLowerCase()
      .replace(/([\u0E00-\u0E7F]) (?=[\u0E00-\u0E7F])/g, "$1");
  }
  gs.normalise = normalise;

  // -- filters ----------------------------------------------------------------------------
  var off = { kind: {}, inn: {}, colour: {} };
  function visible(n) {
    return (
      !off.kind[n.kind] &&
      !off.inn[n.inn || "none"] &&
      !off.colour[n.colour_value === null || n.colour_value === undefined ? "" : n.colour_value]
    );
  }

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var view = new vis.DataView(nodes, { filter: visible });
  gs.nodes = nodes;
  gs.edges = edges;
  gs.view = view;

  var big = data.nodes.length > 2000 || data.edges.length > 5000;
  var font = meta.font || "sans-serif";
  var options = {
    physics: false,
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: {
      hover: !big,
      tooltipDelay: 150,
      hideEdgesOnDrag: big,
      hideEdgesOnZoom: big,
      multiselect: false,
    },
    nodes: {
      font: { face: font, size: 14, color: "#222" },
      borderWidth: 1,
      shadow: false,
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      smooth: false,
      width: 1,
      selectionWidth: 2,
      font: { face: font, size: 11, align: "middle", color: "#555" },
    },
  };
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: view, edges: edges }, options);
  gs.network = network;

  function markReady() {
    if (gs.ready) return;
    gs.ready = true;
    document.body.dataset.ready = "true";
  }
  if (document.body.classList.contains("chain")) {
    // a chain fills the width: fit the view to the entities with their names (vis-network
    // fits to the shapes only, so a long name at either end would be cut off)
    network.once("afterDrawing", function () {
      var box = null;
      data.nodes.forEach(function (n) {
        var b = network.getBoundingBox(n.id);
        if (!b) return;
        if (!box) box = { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
        box.left = Math.min(box.left, b.left);
        box.right = Math.max(box.right, b.right);
        box.top = Math.min(box.top, b.top);
        box.bottom = Math.max(box.bottom, b.bottom);
      });
      if (!box) return;
      var margin = 24;
      var scale = Math.min(
        container.clientWidth / (box.right - box.left + 2 * margin),
        container.clientHeight / (box.bottom - box.top + 2 * margin),
        1.2
      );
      network.moveTo({
        position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 },
        scale: scale,
      });
    });
  }
  if (!document.body.classList.contains("chain")) readableMap(network, nodes, data, container);
  network.once("afterDrawing", markReady);
  network.once("stabilized", markReady);
  window.requestAnimationFrame(function () {
    if (!gs.ready) network.redraw();
  });

  // -- details panel --------------------------------------------------------------------------
  var details = document.getElementById("details");

  function fmt(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.map(fmt).join(", ");
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  function linkFor(template, id) {
    return String(template).split("{id}").join(encodeURIComponent(id));
  }

  function showDetails(id) {
    details.replaceChildren();
    var n = nodes.get(id);
    if (!n) {
      details.appendChild(el("p", "คลิกที่จุดเพื่อดูรายละเอียด / click a node for details", "hint"));
      return;
    }
    details.appendChild(el("h2", n.name));
    var dl = el("dl");
    function row(k, v) {
      if (v === null || v === undefined || v === "") return;
      dl.appendChild(el("dt", k));
      dl.appendChild(el("dd", fmt(v)));
    }
    row("id", n.id);
    row("kind", n.kind);
    row("INN level", n.inn);
    if (n.folded) row("folded in", n.folded);
    if (n.distance !== undefined) row("distance", n.distance);
    row(meta.size_by, n.measure);
    var props = n.props || {};
    Object.keys(props)
      .sort()
      .forEach(function (k) {
        if (k !== "name" && k !== "folded") row(k, props[k]);
      });
    details.appendChild(dl);

    var links = meta.links || {};
    var names = Object.keys(links).filter(function (k) {
      return k !== "open" || n.folded;
    });
    if (names.length) {
      var ul = el("ul", null, "links");
      names.forEach(function (k) {
        var li = el("li");
        var a = el("a", k);
        a.href = linkFor(links[k], n.id);
        li.appendChild(a);
        ul.appendChild(li);
      });
      details.appendChild(ul);
    }
    var rels = network.getConnectedEdges(id);
    if (rels.length) {
      details.appendChild(el("h3", "ความสัมพันธ์ / links (" + rels.length + ")"));
      var list = el("ul", null, "rels");
      rels.slice(0, 200).forEach(function (eid) {
        var e = edges.get(eid);
        if (!e) return;
        var out = e.from === id;
        var other = nodes.get(out ? e.to : e.from);
        var li = el(
          "li",
          (out ? "→ " : "← ") +
            e.type +
            " " +
            (other ? other.name : out ? e.to : e.from) +
            (e.direction ? " (" + e.direction + ")" : "")
        );
        if (other) {
          li.className = "clickable";
          li.addEventListener("click", function () {
            select(other.id);
          });
        }
        list.appendChild(li);
      });
      details.appendChild(list);
    }
  }

  function select(id) {
    if (!nodes.get(id)) return false;
    if (view.get(id)) {
      network.selectNodes([id]);
      network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    }
    showDetails(id);
    gs.selected = id;
    return true;
  }
  gs.select = select;

  network.on("click", function (params) {
    if (params.nodes.length) showDetails(params.nodes[0]);
  });

  // -- search -----------------------------------------------------------------------------------
  var input = document.getElementById("search");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");

  function search(q) {
    var nq = normalise(q);
    results.replaceChildren();
    if (!nq) {
      status.textContent = "";
      return [];
    }
    var found = [];
    for (var i = 0; i < data.nodes.length; i++) {
      if (data.nodes[i].key.indexOf(nq) !== -1) found.push(data.nodes[i]);
    }
    // visible first, then exact name matches, then by name
    found.sort(function (a, b) {
      var va = view.get(a.id) ? 0 : 1;
      var vb = view.get(b.id) ? 0 : 1;
      if (va !== vb) return va - vb;
      var ea = a.key.split("\n").indexOf(nq) !== -1 ? 0 : 1;
      var eb = b.key.split("\n").indexOf(nq) !== -1 ? 0 : 1;
      if (ea !== eb) return ea - eb;
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
    status.textContent = found.length + " found";
    found.slice(0, 30).forEach(function (n) {
      var li = el("li", n.name + " · " + n.kind, "clickable");
      li.addEventListener("click", function () {
        select(n.id);
      });
      results.appendChild(li);
    });
    if (found.length) select(found[0].id);
    return found.map(function (n) {
      return n.id;
    });
  }
  gs.search = search;

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      search(input.value);
    }, 200);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      clearTimeout(timer);
      search(input.value);
    }
  });

  // -- filters and legend -----------------------------------------------------------------
  var filters = document.getElementById("filters");
  var legend = document.getElementById("legend");
  var SYMBOLS = {
    dot: "●",
    square: "■",
    hexagon: "⬢",
    diamond: "◆",
    triangle: "▲",
    triangleDown: "▼",
    star: "★",
  };

  function setFilter(group, value, on) {
    if (on) delete off[group][value];
    else off[group][value] = true;
    view.refresh();
    document.body.dataset.visible = String(view.length);
  }
  gs.setFilter = setFilter;

  function checkbox(group, value, text, swatch) {
    var label = el("label", null, "check");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.group = group;
    box.dataset.value = value;
    box.addEventListener("change", function () {
      setFilter(group, value, box.checked);
    });
    label.appendChild(box);
    if (swatch) label.appendChild(swatch);
    label.appendChild(el("span", text));
    return label;
  }

  function swatch(colour, symbol) {
    var s = el("span", symbol || "●", "swatch");
    s.style.color = colour;
    return s;
  }

  function fieldset(title) {
    var f = el("fieldset");
    f.appendChild(el("legend", title));
    filters.appendChild(f);
    return f;
  }

  var fk = fieldset("ประเภท / kind");
  Object.keys(meta.kinds).forEach(function (k) {
    var info = meta.kinds[k];
    fk.appendChild(
      checkbox("kind", k, k + " (" + info.count + ")", swatch("#444", SYMBOLS[info.shape]))
    );
  });

  var fl = fieldset("ระดับ INN / level");
  ["individual", "node", "network", "none"].forEach(function (lv) {
    if (meta.levels[lv]) fl.appendChild(checkbox("inn", lv, lv + " (" + meta.levels[lv] + ")"));
  });

  if (meta.colour_by !== "kind") {
    var fc = fieldset("สี / colour: " + meta.colour_by);
    Object.keys(meta.palette).forEach(function (v) {
      fc.appendChild(
        checkbox("colour", v, v + " (" + (meta.colour_counts[v] || 0) + ")", swatch(meta.palette[v]))
      );
    });
    if (meta.colour_counts.null) {
      fc.appendChild(
        checkbox(
          "colour",
          "",
          "(none) (" + meta.colour_counts.null + ")",
          swatch(meta.missing_colour)
        )
      );
    }
  }

  // legend: colours, shapes, line styles
  var lc = el("div", null, "legend-block");
  lc.appendChild(el("h3", "สี / colour: " + meta.colour_by));
  Object.keys(meta.palette).forEach(function (v) {
    var row = el("div", null, "legend-row");
    row.appendChild(swatch(meta.palette[v]));
    row.appendChild(el("span", v));
    lc.appendChild(row);
  });
  if (meta.colour_counts.null) {
    var none = el("div", null, "legend-row");
    none.appendChild(swatch(meta.missing_colour));
    none.appendChild(el("span", "(none)"));
    lc.appendChild(none);
  }
  legend.appendChild(lc);

  var ls = el("div", null, "legend-block");
  ls.appendChild(el("h3", "รูปร่าง / shape"));
  Object.keys(meta.kinds).forEach(function (k) {
    var row = el("div", null, "legend-row");
    row.appendChild(swatch("#444", SYMBOLS[meta.kinds[k].shape]));
    row.appendChild(el("span", k));
    ls.appendChild(row);
  });
  ls.appendChild(el("p", "ขนาด / size: " + meta.size_by, "small"));
  legend.appendChild(ls);

  var le = el("div", null, "legend-block");
  le.appendChild(el("h3", "เส้น / links"));
  [
    ["horizontal", "แนวราบ / horizontal"],
    ["vertical", "แนวดิ่ง / vertical"],
    ["unknown", "ไม่ทราบ / unknown"],
    ["placement", "ที่ตั้ง / placement (neither)"],
    ["ghost", meta.ghost_label || "ที่ขาดหาย / missing"],
  ].forEach(function (pair) {
    var st = meta.edge_styles[pair[0]];
    if (pair[0] === "ghost" && !meta.ghosts) return;
    var row = el("div", null, "legend-row");
    var line = el("span", null, "line");
    line.style.borderTopColor = st.color;
    line.style.borderTopStyle = st.dashes ? "dashed" : "solid";
    row.appendChild(line);
    var count = pair[0] === "ghost" ? meta.ghosts : meta.directions[pair[0]] || 0;
    row.appendChild(el("span", pair[1] + " (" + count + ")"));
    le.appendChild(row);
  });
  legend.appendChild(le);
})();

/* -- readable maps (issue 13 point 4): fit with labels, labels that never collide, band
 * labels, the layout chooser. Kept in this one function so the rest of the page can change
 * without touching it; the rules are the ones viz/layouts.py (fit_scale, shown_labels)
 * applies when bench/overlap.py measures a map.
 *
 * - Labels are written LABEL_PX pixels high on the screen whatever the zoom (the font is set
 *   to LABEL_PX / zoom after each zoom), so zooming in spreads the nodes under labels of the
 *   same size and more of them fit.
 * - Fit: the biggest zoom (at most MAX_SCALE) at which every node with its label (written
 *   centred under it) and every band label lies inside the canvas, PADDING pixels from each
 *   side (vis-network's own fit sees the shapes only, so long names at the edges were cut).
 * - Labels: after every zoom, the labels of the biggest nodes first, each shown only when
 *   its box on the screen meets no label already shown; zoomed in far enough, all of them.
 *   A hidden label shows while the pointer is on its node (the tooltip gives the name too).
 * - Band labels (levels, INN: a row's name left of the leftmost node; geographic: the
 *   "no place" column's title) drawn on the canvas, BAND_PX pixels high.
 */
function readableMap(network, nodes, data, container) {
  "use strict";
  var meta = data.meta;
  var PADDING = 24;
  var MAX_SCALE = 1.5;
  var LABEL_PX = 13;
  var LABEL_HEIGHT = LABEL_PX * 1.4;
  var BAND_PX = 16;
  var BAND_GAP = 16;
  var FONT = meta.font || "sans-serif";
  // fresh objects each time: vis-network writes its defaults into the options it is given
  function HIDE() {
    return { label: { drawThreshold: 1e9, maxVisible: 1e9 } };
  }
  function SHOW() {
    return { label: { drawThreshold: 1, maxVisible: 1e9 } };
  }
  var lang = (document.documentElement.lang || "th").slice(0, 2);
  var gs = window.graphService;

  function words(byLang) {
    if (!byLang) return "";
    return byLang[lang] || byLang.th || "";
  }

  var measure = document.createElement("canvas").getContext("2d");
  measure.font = LABEL_PX + "px " + FONT;
  var ids = [];
  var info = {};
  data.nodes.forEach(function (n) {
    ids.push(n.id);
    info[n.id] = {
      x: n.x,
      y: n.y,
      r: n.size,
      w: n.label ? measure.measureText(String(n.label)).width : 0,
    };
  });
  var order = ids.slice().sort(function (a, b) {
    return info[b].r - info[a].r || (a < b ? -1 : a > b ? 1 : 0);
  });
  var bands = meta.bands || [];
  measure.font = "bold " + BAND_PX + "px " + FONT;
  bands.forEach(function (b) {
    b.width = measure.measureText(words(b.label)).width;
  });

  // left, right, top, bottom in screen pixels at zoom s (from the layout's origin)
  // mode: 0 nodes, labels and band names; 1 without band names; 2 the shapes alone
  var mode = 0;
  function extent(s, m) {
    var bare = m === 2;
    var left = Infinity,
      right = -Infinity,
      top = Infinity,
      bottom = -Infinity;
    for (var k = 0; k < ids.length; k++) {
      var i = info[ids[k]];
      var half = bare ? i.r * s : Math.max(i.r * s, i.w / 2);
      left = Math.min(left, i.x * s - half);
      right = Math.max(right, i.x * s + half);
      top = Math.min(top, (i.y - i.r) * s);
      bottom = Math.max(bottom, (i.y + i.r) * s + (bare ? 0 : 2 + LABEL_HEIGHT));
    }
    var nodesLeft = left;
    if (m) return { left: left, right: right, top: top, bottom: bottom, nodesLeft: nodesLeft };
    bands.forEach(function (b) {
      var start = b.align === "right" ? nodesLeft - BAND_GAP - b.width : b.x * s;
      left = Math.min(left, start);
      right = Math.max(right, start + b.width);
      top = Math.min(top, b.y * s - BAND_PX);
      bottom = Math.max(bottom, b.y * s + BAND_PX);
    });
    return { left: left, right: right, top: top, bottom: bottom, nodesLeft: nodesLeft };
  }

  function setFont(scale) {
    network.setOptions({ nodes: { font: { size: LABEL_PX / scale } } });
  }

  function fitAll() {
    if (!ids.length) return;
    var width = container.clientWidth - 2 * PADDING;
    var height = container.clientHeight - 2 * PADDING;
    // labels and band names wider than a small canvas at any zoom: fit without the band
    // names (not drawn then), and if the labels alone are still too wide, the shapes alone
    function fits(s) {
      var e = extent(s, mode);
      return e.right - e.left <= width && e.bottom - e.top <= height;
    }
    mode = 0;
    while (mode < 2 && !fits(1e-4)) mode++;
    var lo = 1e-4,
      hi = MAX_SCALE;
    if (fits(hi)) lo = hi;
    else {
      for (var step = 0; step < 40; step++) {
        var mid = (lo + hi) / 2;
        if (fits(mid)) lo = mid;
        else hi = mid;
      }
    }
    var e = extent(lo, mode);
    setFont(lo);
    network.moveTo({
      position: { x: (e.left + e.right) / 2 / lo, y: (e.top + e.bottom) / 2 / lo },
      scale: lo,
    });
  }

  var hidden = {};
  var hovered = null;
  var status = document.createElement("div");
  status.id = "label-status";
  status.setAttribute("aria-live", "polite");
  status.style.cssText =
    "position:absolute;left:8px;bottom:6px;font-size:12px;color:#666;pointer-events:none;" +
    "background:rgba(255,255,255,0.85);padding:1px 4px;";
  container.appendChild(status);

  function cullLabels() {
    var scale = network.getScale();
    var cell = 64;
    var grid = {};
    var changes = [];
    var count = 0;
    function put(box) {
      for (var gx = Math.floor(box[0] / cell); gx <= Math.floor(box[2] / cell); gx++) {
        for (var gy = Math.floor(box[1] / cell); gy <= Math.floor(box[3] / cell); gy++) {
          var key = gx + ":" + gy;
          (grid[key] = grid[key] || []).push(box);
        }
      }
    }
    // every node's shape is an obstacle to the labels of the others
    ids.forEach(function (id) {
      var i = info[id];
      var r = i.r * scale;
      put([i.x * scale - r, i.y * scale - r, i.x * scale + r, i.y * scale + r, id]);
    });
    order.forEach(function (id) {
      var i = info[id];
      var cx = i.x * scale;
      var top = (i.y + i.r) * scale + 2;
      var box = [cx - i.w / 2, top, cx + i.w / 2, top + LABEL_HEIGHT, id];
      var x0 = Math.floor(box[0] / cell),
        x1 = Math.floor(box[2] / cell),
        y0 = Math.floor(box[1] / cell),
        y1 = Math.floor(box[3] / cell);
      var meets = false;
      for (var gx = x0; gx <= x1 && !meets; gx++) {
        for (var gy = y0; gy <= y1 && !meets; gy++) {
          var list = grid[gx + ":" + gy];
          if (!list) continue;
          for (var k = 0; k < list.length; k++) {
            var o = list[k];
            if (o[4] !== id && box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]) {
              meets = true;
              break;
            }
          }
        }
      }
      var hide = meets && id !== hovered;
      if (!meets) put(box);
      else count++;
      if (!!hidden[id] !== meets || id === hovered) {
        if (meets) hidden[id] = true;
        else delete hidden[id];
        changes.push({ id: id, scaling: hide ? HIDE() : SHOW() });
      }
    });
    if (changes.length) nodes.update(changes);
    gs.hiddenLabels = count;
    gs.hiddenLabelIds = Object.keys(hidden);
    document.body.dataset.hiddenLabels = String(count);
    var text = words((meta.layout_words || {}).hidden);
    status.textContent = count ? text.split("{count}").join(String(count)) : "";
  }
  gs.cullLabels = cullLabels;
  gs.fitAll = fitAll;

  var timer = null;
  network.on("zoom", function () {
    setFont(network.getScale());
    clearTimeout(timer);
    timer = setTimeout(cullLabels, 120);
  });
  network.on("hoverNode", function (p) {
    hovered = p.node;
    if (hidden[p.node]) nodes.update([{ id: p.node, scaling: SHOW() }]);
  });
  network.on("blurNode", function (p) {
    hovered = null;
    if (hidden[p.node]) nodes.update([{ id: p.node, scaling: HIDE() }]);
  });

  network.on("afterDrawing", function (ctx) {
    if (!bands.length || mode) return;
    var s = network.getScale();
    var nodesLeft = extent(s, 0).nodesLeft / s;
    ctx.save();
    ctx.font = "bold " + BAND_PX / s + "px " + FONT;
    ctx.fillStyle = "#6b6b6b";
    ctx.textBaseline = "middle";
    bands.forEach(function (b) {
      if (b.align === "right") {
        ctx.textAlign = "right";
        ctx.fillText(words(b.label), nodesLeft - BAND_GAP / s, b.y);
      } else {
        ctx.textAlign = "left";
        ctx.fillText(words(b.label), b.x, b.y);
      }
    });
    ctx.restore();
  });

  network.once("afterDrawing", function () {
    fitAll();
    cullLabels();
  });
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fitAll();
      cullLabels();
    }, 200);
  });

  // the layout chooser: a served page reloads itself with ?layout=
  var layouts = meta.layouts || [];
  var side = document.getElementById("side");
  if (layouts.length && side && /^https?:$/.test(window.location.protocol)) {
    var section = document.createElement("section");
    section.id = "layouts";
    var title = document.createElement("h2");
    title.textContent = words((meta.layout_words || {}).chooser);
    var select = document.createElement("select");
    select.id = "layout-choice";
    select.setAttribute("aria-label", title.textContent);
    select.style.cssText = "width:100%;padding:4px;font:inherit;";
    var explain = document.createElement("p");
    explain.className = "small";
    layouts.forEach(function (l) {
      var o = document.createElement("option");
      o.value = l.name;
      o.textContent = words(l.label);
      if (l.name === meta.layout) {
        o.selected = true;
        explain.textContent = words(l.explain);
      }
      select.appendChild(o);
    });
    select.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.set("layout", select.value);
      window.location.assign(url.toString());
    });
    section.appendChild(title);
    section.appendChild(select);
    section.appendChild(explain);
    side.insertBefore(section, side.firstChild);
  }
}
