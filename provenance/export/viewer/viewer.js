// provenance-tracker HTML view: the project's own script, inlined by export --format html.
// The drawing is Graphviz's SVG; this adds pan and zoom, search, and the side panel.
// It loads nothing: the data is the JSON in #provenance-data.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("provenance-data").textContent);
  var nodes = data.nodes;          // key ("n12") -> node attributes
  var details = data.details;      // statement key -> origin object (design section 5)
  var canvas = document.getElementById("canvas");
  var viewport = document.getElementById("viewport");
  var panel = document.getElementById("panel");
  var search = document.getElementById("search");
  var searchCount = document.getElementById("search-count");

  // ------------------------------------------------------------------ index

  var elements = {};   // key -> [g.node elements] (a source may be drawn in several chunks)
  var out = {};        // key -> [{to: key, el: g.edge}]
  var sourceKey = {};  // source id -> key
  var byStatement = {}; // statement id -> key
  Object.keys(nodes).forEach(function (key) {
    var n = nodes[key];
    if (n.kind === "source") sourceKey[n.id] = key;
    if (n.kind === "statement") byStatement[n.id] = key;
  });

  function baseKey(id) { return id.split("-")[0]; }

  canvas.querySelectorAll("g.node").forEach(function (el) {
    var key = baseKey(el.id);
    var n = nodes[key];
    if (!n) return;
    el.setAttribute("data-key", key);
    el.setAttribute("data-id", n.id);
    el.setAttribute("data-kind", n.kind);
    (elements[key] = elements[key] || []).push(el);
  });
  canvas.querySelectorAll("g.edge").forEach(function (el) {
    var ends = el.id.slice(1).split("~");
    if (ends.length !== 2) return;
    var a = baseKey(ends[0]), b = baseKey(ends[1]);
    (out[a] = out[a] || []).push({ to: b, el: el });
  });

  // ------------------------------------------------------------------ helpers

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function sourceLabel(id) {
    var key = sourceKey[id];
    return key ? nodes[key].label : id;
  }
  function link(key, text) {
    return '<a data-go="' + key + '">' + esc(text) + "</a>";
  }
  function sourceLink(id) {
    var key = sourceKey[id];
    return key ? link(key, sourceLabel(id)) : esc(id);
  }
  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : /(s|ch)$/.test(word) ? "es" : "s");
  }

  // ------------------------------------------------------------------ pan and zoom

  var view = { x: 0, y: 0, k: 1 };
  function apply() {
    canvas.style.transform = "translate(" + view.x + "px," + view.y + "px) scale(" + view.k + ")";
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.min(4, Math.max(0.05, view.k * factor));
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    apply();
  }
  function fit() {
    var w = canvas.scrollWidth, h = canvas.scrollHeight;
    var vw = viewport.clientWidth, vh = viewport.clientHeight;
    var all = Math.min(vw / w, vh / h, 1);
    // A large graph fitted whole is unreadable: fit its width and start at the top.
    view.k = all >= 0.45 ? all : Math.min(1, Math.max(vw / w, 0.45));
    view.x = Math.max(0, (vw - w * view.k) / 2);
    view.y = all >= 0.45 ? Math.max(0, (vh - h * view.k) / 2) : 0;
    apply();
  }
  function centerOn(el) {
    var box = el.getBoundingClientRect(), vp = viewport.getBoundingClientRect();
    if (view.k < 0.8) {
      zoomAt(0.8 / view.k, box.left + box.width / 2 - vp.left, box.top + box.height / 2 - vp.top);
      box = el.getBoundingClientRect();
    }
    view.x += vp.left + vp.width / 2 - (box.left + box.width / 2);
    view.y += vp.top + vp.height / 2 - (box.top + box.height / 2);
    apply();
  }

  viewport.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var vp = viewport.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - vp.left, ev.clientY - vp.top);
  }, { passive: false });

  var drag = null;
  viewport.addEventListener("mousedown", function (ev) {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 4) {
      drag.moved = true;
      viewport.classList.add("dragging");
    }
    if (drag.moved) {
      view.x = drag.vx + dx;
      view.y = drag.vy + dy;
      apply();
    }
  });
  window.addEventListener("mouseup", function () {
    viewport.classList.remove("dragging");
    setTimeout(function () { drag = null; }, 0);
  });
  document.getElementById("zoom-in").onclick = function () {
    zoomAt(1.25, viewport.clientWidth / 2, viewport.clientHeight / 2);
  };
  document.getElementById("zoom-out").onclick = function () {
    zoomAt(0.8, viewport.clientWidth / 2, viewport.clientHeight / 2);
  };
  document.getElementById("fit").onclick = fit;

  // ------------------------------------------------------------------ highlighting

  function clearMarks(cls) {
    canvas.querySelectorAll("." + cls).forEach(function (el) { el.classList.remove(cls); });
  }
  function mark(keys, edgesToo) {
    clearMarks("hl");
    keys.forEach(function (key) {
      (elements[key] || []).forEach(function (el) { el.classList.add("hl"); });
      if (edgesToo) {
        (out[key] || []).forEach(function (e) {
          if (keys.indexOf(e.to) >= 0) e.el.classList.add("hl");
        });
      }
    });
    canvas.classList.toggle("focus", keys.length > 0);
  }
  // A statement's provenance: everything reachable from it (reports, sources).
  function reach(start) {
    var seen = [start], todo = [start];
    while (todo.length) {
      (out[todo.pop()] || []).forEach(function (e) {
        if (seen.indexOf(e.to) < 0) { seen.push(e.to); todo.push(e.to); }
      });
    }
    return seen;
  }

  // ------------------------------------------------------------------ the panel

  function statementPanel(key) {
    var n = nodes[key], d = details[key] || {};
    var html = ['<h2>Statement</h2><div class="id">' + esc(n.id) + "</div>"];
    html.push('<p class="text">' + esc(n.label) + "</p>");
    html.push("<p>" + (n.single_source
      ? '<span class="badge single">Single source</span>'
      : '<span class="badge confirmed">Independently confirmed</span>') +
      (n.circular ? '<span class="badge circular">Circular citation</span>' : "") + "</p>");
    html.push('<h3>Independent sources</h3><p><span class="count" id="independent-count">' +
      n.independent_sources + "</span>" +
      (d.rests_on ? '<span class="muted">· rests on</span> ' + sourceLink(d.rests_on) : "") + "</p>");
    html.push('<h3>Origins</h3><ul id="origins">');
    (d.origins || []).forEach(function (o) {
      var who = o.cycle ? o.cycle.map(sourceLink).join(" ↔ ") : sourceLink(o.source);
      var flags = ["anonymous", "unattributed", "circular"].filter(function (f) { return o[f]; });
      html.push("<li>" + who + flags.map(function (f) {
        return ' <span class="badge flag">' + f + "</span>";
      }).join("") + "</li>");
    });
    html.push("</ul>");
    var chains = d.chains || [];
    html.push("<h3>Chains <span class=\"muted\">(" + chains.length +
      ", nearest relay first, origin last)</span></h3><ol id=\"chains\">");
    chains.forEach(function (chain) {
      html.push('<li class="chain">' + chain.map(function (id, i) {
        var label = sourceLink(id);
        return (i ? ' <span class="arrow">→</span> ' : "") +
          (i === chain.length - 1 ? '<span class="origin">' + label + "</span>" : label);
      }).join("") + "</li>");
    });
    html.push("</ol>");
    var entry = reach(key).filter(function (k) {
      return nodes[k].kind === "report" && nodes[k].statement === n.id && nodes[k].evidence;
    });
    if (entry.length) {
      var r = nodes[entry[0]];
      html.push("<h3>Evidence" + (r.cue ? ' <span class="muted">(cue: ' + esc(r.cue) + ")</span>" : "") +
        "</h3><blockquote>" + esc(r.evidence) + "</blockquote>");
    }
    if (n.document) {
      html.push('<h3>Documents</h3><p class="id">' + esc(n.document.split(" ").join(", ")) + "</p>");
    }
    return html.join("");
  }

  function reportPanel(key) {
    var n = nodes[key];
    var st = byStatement[n.statement];
    var flags = [];
    if (n.entry) flags.push("publisher's relay");
    if (n.origin) flags.push("origin");
    if (n.critical) flags.push("the statement rests on it");
    if (n.circular) flags.push("circular citation");
    var html = ["<h2>Report</h2><div class=\"id\">" + esc(n.id) + "</div>"];
    html.push('<p class="text">' + sourceLink(n.source) + " says" +
      (n.cue ? " (" + esc(n.cue) + ")" : "") + ":</p>");
    html.push("<p>" + (st ? link(st, nodes[st].label) : esc(n.statement)) + "</p>");
    html.push("<p>" + flags.map(function (f) { return '<span class="badge flag">' + f + "</span>"; }).join("") + "</p>");
    var cites = (out[key] || []).filter(function (e) { return nodes[e.to].kind === "report"; });
    if (cites.length) {
      html.push("<h3>Cites</h3><ul>" + cites.map(function (e) {
        return "<li>" + link(e.to, nodes[e.to].label) + "</li>";
      }).join("") + "</ul>");
    }
    if (n.evidence) html.push("<h3>Evidence</h3><blockquote>" + esc(n.evidence) + "</blockquote>");
    if (n.document) html.push('<h3>Documents</h3><p class="id">' + esc(n.document.split(" ").join(", ")) + "</p>");
    return html.join("");
  }

  function sourcePanel(key) {
    var n = nodes[key];
    var says = [], rests = [];
    Object.keys(nodes).forEach(function (k) {
      var m = nodes[k];
      if (m.kind === "report" && m.source === n.id && byStatement[m.statement] &&
          says.indexOf(byStatement[m.statement]) < 0) says.push(byStatement[m.statement]);
      if (m.kind === "statement" && m.rests_on === n.id) rests.push(k);
    });
    var html = ["<h2>Source</h2><div class=\"id\">" + esc(n.id) + "</div>"];
    html.push('<p class="text">' + esc(n.label) + "</p><p>" +
      (n.type ? '<span class="badge flag">' + esc(n.type) + "</span>" : "") +
      (n.anonymous ? '<span class="badge flag">anonymous</span>' : "") + "</p>");
    html.push("<h3>Statements that rest on it only (" + rests.length + ")</h3><ul>" +
      rests.map(function (k) { return "<li>" + link(k, nodes[k].label) + "</li>"; }).join("") + "</ul>");
    html.push("<h3>Statements it relays or says (" + says.length + ")</h3><ul>" +
      says.map(function (k) { return "<li>" + link(k, nodes[k].label) + "</li>"; }).join("") + "</ul>");
    return html.join("");
  }

  function overview() {
    var c = data.counts;
    var singles = Object.keys(nodes).filter(function (k) {
      return nodes[k].kind === "statement" && nodes[k].single_source;
    });
    return "<h2>Overview</h2>" +
      '<p class="hint">Click a statement to see its origins, chains and independent sources; ' +
      "drag to move, scroll to zoom, type to search. Esc clears.</p>" +
      "<h3>Single-source statements (" + singles.length + " of " + c.statements + ")</h3><ul>" +
      singles.slice(0, 300).map(function (k) {
        return "<li>" + link(k, nodes[k].label) + ' <span class="muted">— ' +
          esc(sourceLabel(nodes[k].rests_on) || "") + "</span></li>";
      }).join("") + (singles.length > 300 ? "<li class=\"muted\">…</li>" : "") + "</ul>";
  }

  function select(key, center) {
    clearMarks("selected");
    if (!key || !nodes[key]) {
      mark([], false);
      panel.innerHTML = overview();
      panel.removeAttribute("data-selected");
      return;
    }
    var n = nodes[key];
    (elements[key] || []).forEach(function (el) { el.classList.add("selected"); });
    if (n.kind === "statement") {
      mark(reach(key), true);
      panel.innerHTML = statementPanel(key);
    } else if (n.kind === "report") {
      mark(reach(key), true);
      panel.innerHTML = reportPanel(key);
    } else {
      var keys = [key];
      Object.keys(nodes).forEach(function (k) {
        if (nodes[k].kind === "report" && nodes[k].source === n.id) keys.push(k);
      });
      mark(keys, true);
      panel.innerHTML = sourcePanel(key);
    }
    panel.setAttribute("data-selected", n.id);
    panel.scrollTop = 0;
    if (center && elements[key]) centerOn(elements[key][0]);
  }

  canvas.addEventListener("click", function (ev) {
    if (drag && drag.moved) return;
    var el = ev.target.closest("g.node");
    select(el ? el.getAttribute("data-key") : null, false);
  });
  panel.addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-go]");
    if (a) select(a.getAttribute("data-go"), true);
  });

  // ------------------------------------------------------------------ search

  var matches = [], current = -1;
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    clearMarks("match");
    matches = [];
    current = -1;
    if (!q) {
      canvas.classList.remove("searching");
      searchCount.textContent = "";
      return;
    }
    Object.keys(nodes).forEach(function (k) {
      var n = nodes[k];
      if (n.kind === "report") return;  // a report's label is its source's
      if ((n.label + " " + n.id).toLowerCase().indexOf(q) >= 0) matches.push(k);
    });
    matches.forEach(function (k) {
      (elements[k] || []).forEach(function (el) { el.classList.add("match"); });
    });
    canvas.classList.add("searching");
    searchCount.textContent = plural(matches.length, "match") + (matches.length ? " — Enter" : "");
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && matches.length) {
      current = (current + 1) % matches.length;
      select(matches[current], true);
      searchCount.textContent = (current + 1) + " of " + plural(matches.length, "match");
    } else if (ev.key === "Escape") {
      search.value = "";
      runSearch();
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && ev.target !== search) select(null);
    if (ev.key === "/" && ev.target !== search) { ev.preventDefault(); search.focus(); }
  });

  // ------------------------------------------------------------------ start

  var c = data.counts;
  document.getElementById("counts").innerHTML =
    plural(c.statements, "statement") + " · <b class=\"single\">" + c.single_source +
    " single-source</b> · " + plural(c.reports, "report") + " · " + plural(c.sources, "source") +
    (c.circular ? " · " + c.circular + " in circular citations" : "") +
    (data.by === "organization" ? " · counted by organisation" : "");
  select(null);
  fit();
  window.addEventListener("resize", fit);
  document.body.setAttribute("data-ready", "true");
})();
