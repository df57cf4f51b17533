/* graph-service map: draws the JSON embedded by viz/maps.py with vis-network.
 *
 * Data never goes through innerHTML: every text from the graph is written with textContent,
 * and vis-network 9 shows a string `title` as plain text (innerText).
 *
 * Every word it writes comes from the page's catalogue (meta.messages, meta.words: built from
 * graph_service/messages/<lang>/maps.toml for the page's language), never from this file.
 *
 * The state of the view lives in the URL (history.replaceState on every change, read back on
 * load), so a copied link reopens the same view: the server's choices (lang, layout, level,
 * colour_by, size_by, depth, where, by, group_by ...) are query parameters the page was
 * opened with, and the browser's own are hide_kind, hide_level, hide_colour, hide_line,
 * hide_type (comma-separated values switched off), q (the search) and selected (an id);
 * embed=1 shows the map and its legend only (the page an <iframe> snippet opens).
 *
 * Exposes window.graphService = {network, nodes, edges, view, edgeView, data, ready,
 * search(q), select(id), normalise(s), setFilter(group, value, on), state(), url()};
 * document.body.dataset.nodes holds the node count, document.body.dataset.ready becomes
 * "true" after the first drawing.
 */
(function () {
  "use strict";

  var gs = (window.graphService = { ready: false });
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var meta = data.meta;
  gs.data = meta;
  var messages = meta.messages || {};
  var words = meta.words || {};
  var lang = meta.lang || "th";

  // -- words ------------------------------------------------------------------------------
  function M(key, values) {
    var text = messages[key] !== undefined ? String(messages[key]) : key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, function (all, name) {
        return values[name] !== undefined ? String(values[name]) : all;
      });
    }
    return text;
  }
  function W(group, value) {
    var g = words[group] || {};
    return g[value] !== undefined ? g[value] : value;
  }
  // a figure for reading, as graph_service.i18n.number: at most two decimals, thousands
  // separated
  function num(v) {
    if (typeof v !== "number" || !isFinite(v)) return v;
    var r = Math.round(v * 100) / 100;
    return r.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }
  // a year as the page's reader writes it: พ.ศ. (Gregorian + 543) on Thai pages
  function year(v) {
    var y = typeof v === "number" ? v : /^\d{4}$/.test(String(v)) ? Number(v) : NaN;
    if (!Number.isInteger(y)) return v;
    var gregorian = y > 2400 ? y - 543 : y;
    if (gregorian < 1800 || gregorian >= 2300) return v;
    return lang === "th" ? M("year_prefix") + (gregorian + 543) : String(gregorian);
  }
  var YEARS = {};
  (meta.year_props || []).forEach(function (k) {
    YEARS[k] = true;
  });
  function shown(key, v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) {
      return v
        .map(function (x) {
          return shown(key, x);
        })
        .join(", ");
    }
    if (YEARS[key]) return String(year(v));
    var values = words.values || {};
    if (values[key] && values[key][v] !== undefined) return values[key][v];
    if (typeof v === "number") return String(num(v));
    if (typeof v === "boolean") return M(v ? "yes" : "no");
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  // -- the state of the view in the URL ------------------------------------------------------
  var STATE_KEYS = ["hide_kind", "hide_level", "hide_colour", "hide_line", "hide_type"];
  var GROUP_OF = {
    hide_kind: "kind",
    hide_level: "inn",
    hide_colour: "colour",
    hide_line: "line",
    hide_type: "type",
  };
  var served = /^https?:$/.test(window.location.protocol);
  var initial = new URLSearchParams(window.location.search);
  var embedded = initial.get("embed") === "1";
  if (embedded) document.body.classList.add("embed");
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
  var off = { kind: {}, inn: {}, colour: {}, line: {}, type: {} };
  STATE_KEYS.forEach(function (key) {
    var raw = initial.get(key);
    if (!raw) return;
    raw.split(",").forEach(function (v) {
      off[GROUP_OF[key]][v === "-" ? "" : v] = true;
    });
  });
  function edgeVisible(e) {
    return !off.line[e.line || "unknown"] && !(e.type && off.type[e.type] && !e.ghost);
  }
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
  var edgeView = new vis.DataView(edges, { filter: edgeVisible });
  gs.nodes = nodes;
  gs.edges = edges;
  gs.view = view;
  gs.edgeView = edgeView;

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
  var network = new vis.Network(container, { nodes: view, edges: edgeView }, options);
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

  function linkFor(template, id) {
    return String(template).split("{id}").join(encodeURIComponent(id));
  }

  // a link that keeps the page's language (a reader with cookies off keeps it too) and the
  // day the page shows the network as of (?as_of=)
  var asOf = initial.get("as_of") || "";
  function withLang(href) {
    if (!served || href.indexOf("/api/") === 0) return href;
    var sep = href.indexOf("?") === -1 ? "?" : "&";
    return href + sep + "lang=" + lang + (asOf ? "&as_of=" + encodeURIComponent(asOf) : "");
  }
  var homeLink = document.querySelector("#top a.home");
  if (homeLink && asOf) homeLink.href = "/?as_of=" + encodeURIComponent(asOf);

  var SKIP = { name: true, folded: true, distance: true };

  function showDetails(id) {
    details.replaceChildren();
    var n = nodes.get(id);
    if (!n) {
      details.appendChild(el("p", M("details_hint"), "hint"));
      return;
    }
    details.appendChild(el("h2", n.name));
    var dl = el("dl");
    function row(k, v, title) {
      if (v === null || v === undefined || v === "") return;
      dl.appendChild(el("dt", k));
      var dd = el("dd", v);
      if (title) dd.title = title;
      dl.appendChild(dd);
    }
    row(M("kind"), W("kind", n.kind));
    if (n.inn) row(M("inn"), W("inn", n.inn));
    if (n.folded) row(M("folded"), M("folded_count", { count: num(n.folded) }));
    if (n.distance !== undefined) row(M("distance"), num(n.distance));
    if (n.measure !== null && n.measure !== undefined) row(meta.size_label, num(n.measure));
    var props = n.props || {};
    Object.keys(props)
      .sort()
      .forEach(function (k) {
        if (SKIP[k]) return;
        var other = typeof props[k] === "string" ? nodes.get(props[k]) : null;
        // an entity's id (a funder, a parent area) by its name; the id on hover
        if (other) row(W("attr", k), other.name, other.id);
        else row(W("attr", k), shown(k, props[k]));
      });
    row(M("id"), n.id);
    details.appendChild(dl);

    var links = meta.links || {};
    var names = Object.keys(links).filter(function (k) {
      return k !== "open" || n.folded;
    });
    if (names.length && served) {
      var ul = el("ul", null, "links");
      names.forEach(function (k) {
        var li = el("li");
        var a = el("a", W("link", k));
        a.href = withLang(linkFor(links[k], n.id));
        li.appendChild(a);
        ul.appendChild(li);
      });
      details.appendChild(ul);
    }
    var rels = network.getConnectedEdges(id);
    if (rels.length) {
      details.appendChild(el("h3", M("relations", { count: num(rels.length) })));
      var list = el("ul", null, "rels");
      rels.slice(0, 200).forEach(function (eid) {
        var e = edges.get(eid);
        if (!e) return;
        var out = e.from === id;
        var other = nodes.get(out ? e.to : e.from);
        var what = e.ghost ? e.label || meta.ghost_label : W("type", e.type);
        var li = el(
          "li",
          (out ? "→ " : "← ") +
            what +
            " " +
            (other ? other.name : out ? e.to : e.from) +
            (e.line && !e.ghost
              ? " (" + (LINE_WORDS[e.line] !== undefined ? LINE_WORDS[e.line] : M("line_short." + e.line)) + ")"
              : "")
        );
        li.title = e.title || "";
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
    saveState();
    return true;
  }
  gs.select = select;

  network.on("click", function (params) {
    if (params.nodes.length) {
      showDetails(params.nodes[0]);
      gs.selected = params.nodes[0];
    } else {
      gs.selected = null;
    }
    saveState();
  });

  // -- search -----------------------------------------------------------------------------------
  var input = document.getElementById("search");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");

  function search(q) {
    var nq = normalise(q);
    results.replaceChildren();
    gs.query = q || "";
    if (!nq) {
      status.textContent = "";
      saveState();
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
    status.textContent = M("found", { count: num(found.length) });
    found.slice(0, 30).forEach(function (n) {
      var li = el("li", n.name + " · " + W("kind", n.kind), "clickable");
      li.title = n.id;
      li.addEventListener("click", function () {
        select(n.id);
      });
      results.appendChild(li);
    });
    if (found.length) select(found[0].id);
    else saveState();
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
    if (group === "line" || group === "type") edgeView.refresh();
    else view.refresh();
    document.body.dataset.visible = String(view.length);
    var box = document.querySelector(
      'input[data-group="' + group + '"][data-value="' + CSS.escape(value) + '"]'
    );
    if (box) box.checked = !!on;
    saveState();
  }
  gs.setFilter = setFilter;

  function checkbox(group, value, text, swatch) {
    var label = el("label", null, "check");
    var box = el("input");
    box.type = "checkbox";
    box.checked = !off[group][value];
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

  function lineSwatch(style) {
    var line = el("span", null, "line");
    line.style.borderTopColor = style.color;
    line.style.borderTopStyle = style.dashes ? "dashed" : "solid";
    return line;
  }

  function fieldset(title) {
    var f = el("fieldset");
    f.appendChild(el("legend", title));
    filters.appendChild(f);
    return f;
  }

  function count(n) {
    return " (" + num(n || 0) + ")";
  }

  var fk = fieldset(M("kind"));
  Object.keys(meta.kinds).forEach(function (k) {
    var info = meta.kinds[k];
    fk.appendChild(
      checkbox("kind", k, W("kind", k) + count(info.count), swatch("#444", SYMBOLS[info.shape]))
    );
  });

  // the INN level (individual, node, network) is no filter of its own: the kinds say it in a
  // planner's words; hide_level in the URL still applies (links made before keep working)

  // the lines by direction; a page with its own classes (the before/after map: added,
  // ended, kept) names them in meta.line_order and meta.line_words
  var LINES = meta.line_order || ["horizontal", "vertical", "unknown", "placement", "ghost"];
  var LINE_WORDS = meta.line_words || {};
  function lineCount(key) {
    return key === "ghost" ? meta.ghosts : meta.directions[key] || 0;
  }
  function lineText(key) {
    if (LINE_WORDS[key] !== undefined) return LINE_WORDS[key];
    return key === "ghost" ? meta.ghost_label || M("line.missing") : M("line." + key);
  }
  var fd = fieldset(M("direction"));
  LINES.forEach(function (key) {
    if (!lineCount(key)) return;
    fd.appendChild(
      checkbox("line", key, lineText(key) + count(lineCount(key)), lineSwatch(meta.edge_styles[key]))
    );
  });

  var typeCounts = {};
  data.edges.forEach(function (e) {
    if (!e.ghost) typeCounts[e.type] = (typeCounts[e.type] || 0) + 1;
  });
  var types = Object.keys(typeCounts).sort(function (a, b) {
    return typeCounts[b] - typeCounts[a] || (a < b ? -1 : 1);
  });
  if (types.length > 1) {
    var ft = fieldset(M("relationship_types"));
    types.forEach(function (t) {
      ft.appendChild(checkbox("type", t, W("type", t) + count(typeCounts[t])));
    });
  }

  var colourName = meta.colour_label || meta.colour_by;
  if (meta.colour_by !== "kind") {
    var fc = fieldset(M("colour", { what: colourName }));
    Object.keys(meta.palette).forEach(function (v) {
      fc.appendChild(
        checkbox(
          "colour",
          v,
          W("colour", v) + count(meta.colour_counts[v]),
          swatch(meta.palette[v])
        )
      );
    });
    if (meta.colour_counts.null) {
      fc.appendChild(
        checkbox(
          "colour",
          "",
          (meta.none_label || M("none_value")) + count(meta.colour_counts.null),
          swatch(meta.missing_colour)
        )
      );
    }
  }

  // legend: colours, shapes, sizes, lines; its counts are the header's
  var lc = el("div", null, "legend-block");
  lc.appendChild(el("h3", M("colour", { what: colourName })));
  Object.keys(meta.palette).forEach(function (v) {
    var row = el("div", null, "legend-row");
    row.appendChild(swatch(meta.palette[v]));
    row.appendChild(el("span", W("colour", v)));
    lc.appendChild(row);
  });
  if (meta.colour_counts.null) {
    var none = el("div", null, "legend-row");
    none.appendChild(swatch(meta.missing_colour));
    none.appendChild(el("span", meta.none_label || M("none_value")));
    lc.appendChild(none);
  }
  if (meta.colour_by !== "kind") legend.appendChild(lc);

  var ls = el("div", null, "legend-block");
  ls.appendChild(el("h3", M("shape")));
  Object.keys(meta.kinds).forEach(function (k) {
    var row = el("div", null, "legend-row");
    row.appendChild(
      swatch(meta.colour_by === "kind" ? meta.palette[k] || "#444" : "#444", SYMBOLS[meta.kinds[k].shape])
    );
    row.appendChild(el("span", W("kind", k) + count(meta.kinds[k].count)));
    ls.appendChild(row);
  });
  ls.appendChild(el("p", M("size", { what: meta.size_label || meta.size_by }), "small"));
  legend.appendChild(ls);

  var le = el("div", null, "legend-block");
  le.appendChild(el("h3", M("lines")));
  LINES.forEach(function (key) {
    if (!lineCount(key)) return;
    var row = el("div", null, "legend-row");
    row.dataset.line = key;
    row.appendChild(lineSwatch(meta.edge_styles[key]));
    row.appendChild(el("span", lineText(key) + count(lineCount(key))));
    le.appendChild(row);
  });
  (meta.legend_lines || []).forEach(function (extra) {
    var row = el("div", null, "legend-row sub");
    row.appendChild(lineSwatch({ color: extra.color, dashes: extra.dashes }));
    row.appendChild(el("span", extra.label));
    le.appendChild(row);
  });
  legend.appendChild(le);

  // -- the page's own choices (server side: the page reloads with the new query) --------------
  var controls = document.getElementById("controls");
  (meta.controls || []).forEach(function (c) {
    if (!served) return;
    controls.hidden = false;
    var label = el("label", null, "control");
    label.appendChild(el("span", c.label));
    var select = el("select");
    select.dataset.param = c.param;
    c.choices.forEach(function (choice) {
      var o = el("option", choice[1]);
      o.value = choice[0];
      if (choice[0] === c.value) o.selected = true;
      select.appendChild(o);
    });
    select.addEventListener("change", function () {
      var url = new URL(stateUrl());
      url.searchParams.set(c.param, select.value);
      // another colour, grouping or level: the colour values switched off no longer apply
      if (c.param !== "size_by") url.searchParams.delete("hide_colour");
      window.location.assign(url.toString());
    });
    label.appendChild(select);
    controls.appendChild(label);
  });

  // -- the URL: written on every change, read back on load ------------------------------------
  function stateUrl() {
    var url = new URL(window.location.href);
    STATE_KEYS.forEach(function (key) {
      var values = Object.keys(off[GROUP_OF[key]]).map(function (v) {
        return v === "" ? "-" : v;
      });
      if (values.length) url.searchParams.set(key, values.sort().join(","));
      else url.searchParams.delete(key);
    });
    if (gs.query) url.searchParams.set("q", gs.query);
    else url.searchParams.delete("q");
    if (gs.selected && !gs.query) url.searchParams.set("selected", gs.selected);
    else url.searchParams.delete("selected");
    if (!url.searchParams.get("lang")) url.searchParams.set("lang", lang);
    url.searchParams.delete("embed");
    return url.toString();
  }
  gs.url = stateUrl;
  gs.state = function () {
    var out = {};
    STATE_KEYS.forEach(function (key) {
      out[key] = Object.keys(off[GROUP_OF[key]]).sort();
    });
    out.q = gs.query || "";
    out.selected = gs.selected || null;
    return out;
  };

  var switchLink = document.getElementById("lang-switch");
  var embedCode = document.getElementById("embed-code");
  function embedSnippet(href) {
    var url = new URL(href);
    url.searchParams.set("embed", "1");
    var quote = function (s) {
      return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    };
    return (
      '<iframe src="' +
      quote(url.toString()) +
      '" width="100%" height="600" style="border:0" loading="lazy" title="' +
      quote(meta.title || M("embed_title")) +
      '"></iframe>'
    );
  }

  var saving = false;
  function saveState() {
    if (!served || saving) return;
    var href = stateUrl();
    if (embedded) {
      var kept = new URL(href);
      kept.searchParams.set("embed", "1");
      href = kept.toString();
    }
    window.history.replaceState(null, "", href);
    if (switchLink) {
      var other = new URL(stateUrl());
      other.searchParams.set("lang", switchLink.getAttribute("hreflang"));
      switchLink.href = other.toString();
    }
    if (embedCode) embedCode.value = embedSnippet(stateUrl());
  }
  gs.saveState = saveState;

  // read back what the URL holds: filters were applied above; the search and the selection
  saving = true;
  var q0 = initial.get("q");
  var selected0 = initial.get("selected");
  if (q0) {
    input.value = q0;
    search(q0);
  } else if (selected0 && nodes.get(selected0)) {
    select(selected0);
  }
  saving = false;
  document.body.dataset.visible = String(view.length);
  saveState();

  // -- the time slider (viz.maps.time_bar): the page again as of another recorded day ----------
  var slider = document.getElementById("time-slider");
  if (slider && served) {
    var stops = JSON.parse(slider.dataset.stops || "[]");
    var timeLabel = document.getElementById("time-label");
    var showStop = function () {
      var stop = stops[Number(slider.value)];
      if (!stop) return;
      timeLabel.textContent = stop.label;
      slider.setAttribute("aria-valuetext", stop.label);
    };
    slider.addEventListener("input", showStop);
    document.querySelectorAll("#time .stops a").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        slider.value = a.dataset.index;
        slider.dispatchEvent(new Event("change"));
      });
    });
    slider.addEventListener("change", function () {
      var stop = stops[Number(slider.value)];
      if (!stop) return;
      showStop();
      var url = new URL(stateUrl());
      if (stop.value) url.searchParams.set("as_of", stop.value);
      else url.searchParams.delete("as_of");
      document.body.dataset.moving = "true";
      window.location.assign(url.toString());
    });
  }

  // -- share and print ----------------------------------------------------------------------------
  var share = document.getElementById("share");
  var shareStatus = document.getElementById("share-status");
  function on(id, handler) {
    var node = document.getElementById(id);
    if (node) node.addEventListener("click", handler);
  }
  on("copy-link", function () {
    var href = stateUrl();
    function fallback() {
      share.hidden = false;
      embedCode.value = href;
      embedCode.select();
      shareStatus.textContent = M("copy_failed");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(href).then(function () {
        shareStatus.textContent = M("copied");
        document.body.dataset.copied = href;
      }, fallback);
    } else {
      fallback();
    }
  });
  on("embed-button", function () {
    share.hidden = false;
    embedCode.value = embedSnippet(stateUrl());
    embedCode.focus();
    embedCode.select();
    shareStatus.textContent = "";
  });
  on("share-close", function () {
    share.hidden = true;
  });
  on("print-button", function () {
    window.print();
  });

  // print: the explanation opens on paper, and the map is drawn again to the width of an A4
  // page (186 mm of paper at 96 dpi) and fitted to it; back on screen, as it was
  var PRINT_WIDTH = 700;
  var PRINT_HEIGHT = 560;
  var panelWasOpen = true;
  window.addEventListener("beforeprint", function () {
    var folded = document.getElementById("panel");
    if (folded) {
      panelWasOpen = folded.open;
      folded.open = true; // the legend is on paper, even from a phone
    }
    document.querySelectorAll("#notes details.explain").forEach(function (d) {
      d.open = true;
    });
    container.style.width = PRINT_WIDTH + "px";
    container.style.height = PRINT_HEIGHT + "px";
    network.setSize(PRINT_WIDTH + "px", PRINT_HEIGHT + "px");
    network.redraw();
    network.fit({ animation: false });
  });
  window.addEventListener("afterprint", function () {
    var folded = document.getElementById("panel");
    if (folded) folded.open = panelWasOpen;
    container.style.width = "";
    container.style.height = "";
    network.setSize("100%", "100%");
    network.redraw();
    network.fit({ animation: false });
  });

  // a phone: the legend and filters fold under their heading, the map gets the screen
  var panel = document.getElementById("panel");
  if (panel && window.matchMedia && window.matchMedia("(max-width: 800px)").matches) {
    panel.open = false;
  }
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
  var LABEL_REACH = 60;
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
      // a label counts up to LABEL_REACH px each side: a longer one must not shrink the
      // whole map; where it would pass the canvas's edge, cullLabels hides it
      var half = bare ? i.r * s : Math.max(i.r * s, Math.min(i.w / 2, LABEL_REACH));
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
    // the visible canvas, in the units of the boxes below (layout units times the scale):
    // a label that would pass its edge is hidden like one that meets another
    var tl = network.DOMtoCanvas({ x: 0, y: 0 });
    var br = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight });
    var view = [tl.x * scale + 2, tl.y * scale + 2, br.x * scale - 2, br.y * scale - 2];
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
      var meets =
        box[0] < view[0] || box[1] < view[1] || box[2] > view[2] || box[3] > view[3];
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
  network.on("dragEnd", function () {
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
