// dta-kg network page: draws the JSON data island with vis-network; tooltips, side panel,
// search and filters. Record text is only ever set as textContent, never parsed as HTML.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const links = new Map(data.nodes.map((n) => [n.id, []]));
  for (const e of data.edges) {
    links.get(e.from).push(byId.get(e.to));
    links.get(e.to).push(byId.get(e.from));
  }
  const folded = new Map();  // node id -> the overview's edges that fold its facts
  for (const e of data.edges.filter((e) => e.facts)) {
    for (const end of [e.from, e.to]) folded.set(end, [...(folded.get(end) || []), e]);
  }
  const hiddenTypes = new Set(data.hidden);
  const componentSelect = document.getElementById("component");
  const nodes = new vis.DataSet(data.nodes);
  const view = new vis.DataView(nodes, {
    filter: (n) =>
      !hiddenTypes.has(n.type) &&
      (!componentSelect || !componentSelect.value || n.components.includes(componentSelect.value)),
  });
  const container = document.getElementById("network");
  const edges = new vis.DataSet(data.edges);
  const network = new vis.Network(container, { nodes: view, edges }, data.options);
  window.kgNetwork = network; // for tests and benchmarks

  let ready = !data.options.physics.enabled;
  network.on("afterDrawing", () => {
    if (ready && !document.body.dataset.drawn) {
      document.body.dataset.drawn = String(performance.now());
    }
  });
  network.once("stabilizationIterationsDone", () => {
    network.setOptions({ physics: { enabled: false } });
    ready = true;
    network.redraw();
  });

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function doiLink(doi) {
    const url = "https://doi.org/" + encodeURIComponent(doi).replace(/%2F/gi, "/");
    const a = el("a", url);
    a.href = url;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }

  function citation(study) {
    const p = study.props;
    const block = el("div", null, "citation");
    const head = p.shortCitation || study.name;
    const year = p.year && !head.includes(p.year) ? " (" + p.year + ")" : "";
    block.append(el("strong", head + year));
    if (p.title) block.append(el("div", p.title, "title"));
    if (p.doi) block.append(doiLink(p.doi));
    return block;
  }

  function evidence(node) {
    const block = el("div", null, "evidence");
    block.append(el("blockquote", node.props.quote));
    if (node.props.quoteVerified === "False") {
      block.append(el("div", "Unverified: the project does not hold the text this quote is from", "unverified"));
    }
    if (node.props.section) block.append(el("div", "Section: " + node.props.section, "section"));
    if (node.props.basis) block.append(el("div", "Basis: " + node.props.basis, "basis"));
    if (node.props.inferred) block.append(el("div", "Curator inference: " + node.props.inferred, "inferred"));
    return block;
  }

  const SHOWN = new Set(["label", "shortCitation", "title", "year", "doi", "quote", "section", "inferred",
    "basis"]);

  function showPanel(id) {
    const node = byId.get(id);
    const panel = document.getElementById("panel");
    panel.replaceChildren(el("div", node.type, "type"), el("h2", node.name));
    const studies = node.type === "Study" ? [node] : links.get(id).filter((n) => n.type === "Study");
    if (studies.length) {
      panel.append(el("h3", "Citation"));
      for (const s of studies) panel.append(citation(s));
    }
    const facts = [node, ...links.get(id)].filter((n) => n.props.quote);
    // in an overview, a node's facts are folded into its edges: each with the concept it names
    for (const e of folded.get(id) || []) {
      const other = byId.get(e.from === id ? e.to : e.from);
      for (const fact of e.facts) facts.push({ type: e.rel + " " + other.name, name: fact.label || fact.type, props: fact });
    }
    if (facts.length) {
      panel.append(el("h3", "Provenance"));
      for (const f of facts.slice(0, 50)) {
        if (f !== node) panel.append(el("div", f.type + ": " + f.name, "fact"));
        panel.append(evidence(f));
      }
    }
    const rest = Object.entries(node.props).filter(([k]) => !SHOWN.has(k));
    if (rest.length) {
      const dl = el("dl");
      for (const [k, v] of rest) dl.append(el("dt", k), el("dd", Array.isArray(v) ? v.join(", ") : v));
      panel.append(el("h3", "Properties"), dl);
    }
  }

  // an overview's edge folds a study's facts about one concept: show each with its evidence
  function showEdgePanel(id) {
    const edge = edges.get(id);
    const panel = document.getElementById("panel");
    panel.replaceChildren(el("div", "relation", "type"),
      el("h2", byId.get(edge.from).name + " — " + edge.rel + " — " + byId.get(edge.to).name));
    panel.append(el("h3", "Citation"), citation(byId.get(edge.from)));
    panel.append(el("h3", "Provenance"));
    for (const fact of edge.facts) {
      panel.append(el("div", fact.type + (fact.label ? ": " + fact.label : ""), "fact"));
      if (fact.quote) panel.append(evidence({ props: fact }));
    }
  }

  const tooltip = document.getElementById("tooltip");
  function showTooltip(pointer, parts) {
    tooltip.replaceChildren(...parts);
    tooltip.hidden = false;
    const room = container.getBoundingClientRect();
    tooltip.style.left = Math.min(pointer.DOM.x + 14, room.width - tooltip.offsetWidth - 4) + "px";
    tooltip.style.top = Math.min(pointer.DOM.y + 14, room.height - tooltip.offsetHeight - 4) + "px";
  }
  network.on("hoverNode", (params) => {
    const node = byId.get(params.node);
    const parts = [el("div", node.type, "type"), el("div", node.name)];
    if (node.props.title) parts.push(el("div", node.props.title));
    if (node.props.doi) parts.push(el("div", "https://doi.org/" + node.props.doi, "doi"));
    if (node.props.quote) {
      const q = node.props.quote;
      parts.push(el("blockquote", q.length > 200 ? q.slice(0, 199) + "…" : q));
      if (node.props.quoteVerified === "False") parts.push(el("div", "Unverified quote", "unverified"));
    }
    if (node.props.section) parts.push(el("div", "Section: " + node.props.section, "section"));
    showTooltip(params.pointer, parts);
  });
  network.on("hoverEdge", (params) => {
    showTooltip(params.pointer, [el("div", "relation", "type"), el("div", edges.get(params.edge).rel)]);
  });
  network.on("blurNode", () => (tooltip.hidden = true));
  network.on("blurEdge", () => (tooltip.hidden = true));
  network.on("dragStart", () => (tooltip.hidden = true));
  network.on("click", (params) => {
    if (params.nodes.length) showPanel(params.nodes[0]);
    else if (params.edges.length && edges.get(params.edges[0]).facts) showEdgePanel(params.edges[0]);
  });

  const query = document.getElementById("query");
  const matchCount = document.getElementById("matches");
  function matches() {
    const q = query.value.trim().toLowerCase();
    if (q.length < 2) return [];
    const visible = new Set(view.getIds());
    return data.nodes
      .filter((n) => visible.has(n.id))
      .filter((n) => [n.name, n.props.title, n.props.doi].some((s) => s && s.toLowerCase().includes(q)))
      .map((n) => n.id);
  }
  query.addEventListener("input", () => {
    const found = matches();
    network.selectNodes(found);
    matchCount.textContent = query.value.trim().length < 2 ? "" : found.length + " found";
  });
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const found = matches();
    if (!found.length) return;
    network.selectNodes(found);
    network.fit({ nodes: found, animation: false });
    showPanel(found[0]);
  });

  for (const box of document.querySelectorAll("#legend input")) {
    box.addEventListener("change", () => {
      if (box.checked) hiddenTypes.delete(box.value);
      else hiddenTypes.add(box.value);
      view.refresh();
    });
  }
  if (componentSelect) componentSelect.addEventListener("change", () => view.refresh());

  if (data.focus.length) {
    network.selectNodes(data.focus);
    showPanel(data.focus[0]);
  }
})();
