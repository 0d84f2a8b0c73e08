/* The disputes view: the cases, a case's boundary versions (claims and earlier surveys) on the
   map, the comparison of every pair with its disputed strips, and the dated images covering the
   case on a time slider. Everything comes from /api/v1/disputes/ as the logged-in user. */
(function () {
  "use strict";
  const C = window.Console;
  const { config, gettext: _, el } = C;
  const origin = window.location.origin;
  const API = "/api/v1/disputes";
  const EMPTY = { type: "FeatureCollection", features: [] };
  const CLAIM_COLOURS = ["#e8590c", "#c2255c", "#9c36b5", "#f08c00"];
  const REFERENCE_COLOURS = ["#1971c2", "#0c8599", "#2f9e44", "#5c940d", "#364fc7"];
  const STRIP_COLOUR = "#fab005";

  const mapStatus = document.getElementById("map-status");
  const listStatus = document.getElementById("case-list-status");
  const caseStatus = document.getElementById("case-status");
  const slider = document.getElementById("imagery-slider");

  // ---- the map ----------------------------------------------------------------------------
  const style = C.baseStyle();
  // The imagery source is added when a case with images is open (see showImage).
  style.sources.boundaries = { type: "geojson", data: EMPTY };
  style.sources.strips = { type: "geojson", data: EMPTY };
  style.layers.push(
    { id: "strips-fill", type: "fill", source: "strips", paint: { "fill-color": STRIP_COLOUR, "fill-opacity": 0.6 } },
    {
      id: "references-line",
      type: "line",
      source: "boundaries",
      filter: ["==", ["get", "kind"], "reference"],
      paint: { "line-color": ["get", "colour"], "line-width": 2, "line-dasharray": [2, 1] },
    },
    {
      id: "claims-fill",
      type: "fill",
      source: "boundaries",
      filter: ["==", ["get", "kind"], "claim"],
      paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.12 },
    },
    {
      id: "claims-line",
      type: "line",
      source: "boundaries",
      filter: ["==", ["get", "kind"], "claim"],
      paint: { "line-color": ["get", "colour"], "line-width": 3 },
    },
  );

  const map = C.createMap(style, mapStatus);

  // ---- the layer switcher -------------------------------------------------------------------
  const groups = [
    { id: "claims", label: _("Claimed boundaries"), layers: ["claims-fill", "claims-line"], legend: [{ colour: CLAIM_COLOURS[0], text: _("A party's claim (solid line)") }] },
    { id: "references", label: _("Earlier surveys and registrations"), layers: ["references-line"], legend: [{ colour: REFERENCE_COLOURS[0], text: _("A reference version (dashed line)") }] },
    { id: "strips", label: _("Disputed strips"), layers: ["strips-fill"], legend: [{ colour: STRIP_COLOUR, text: _("Held by one boundary of the chosen pair only") }] },
    { id: "imagery", label: _("Imagery"), layers: ["imagery-raster"], legend: [], available: () => images.length > 0 },
  ];
  const switcher = C.layerSwitcher(map, groups);

  // ---- the cases ------------------------------------------------------------------------------
  function features(data) {
    if (Array.isArray(data)) return data;
    if (data.features) return data.features;
    if (data.results) return features(data.results);
    return [];
  }

  async function loadCases() {
    C.showStatus(listStatus, "loading", _("Loading…"));
    try {
      const cases = features(await C.api(`${API}/cases/?limit=200`));
      const list = document.getElementById("case-list");
      list.replaceChildren(
        ...cases.map((feature) => {
          const p = feature.properties;
          const id = feature.id !== undefined ? feature.id : p.id;
          const button = el("button", { type: "button", class: "link case-open", "data-case": id, onclick: () => C.setState({ case: String(id) }) }, `${p.code} · ${p.title}`);
          return el("li", {}, [button, el("div", { class: "muted" }, `${config.caseKinds[p.kind] || p.kind} · ${p.village} · ${p.opened_on} · ${config.caseStatuses[p.status] || p.status}`)]);
        }),
      );
      C.showStatus(listStatus, cases.length ? "" : "info", cases.length ? "" : _("No dispute cases you may see."));
    } catch (error) {
      C.showStatus(listStatus, "error", `${_("The cases could not be loaded:")} ${error.message}`);
    }
  }

  let caseRequest = 0;
  let images = [];
  let pairs = [];

  async function openCase(id) {
    const request = ++caseRequest;
    document.getElementById("case-list-view").hidden = Boolean(id);
    document.getElementById("case-detail").hidden = !id;
    if (!id) {
      map.getSource("boundaries").setData(EMPTY);
      map.getSource("strips").setData(EMPTY);
      images = [];
      showImagery();
      return;
    }
    C.showStatus(caseStatus, "loading", _("Loading the case…"));
    try {
      const base = `${API}/cases/${encodeURIComponent(id)}`;
      const [detail, claims, references, comparison, imagery] = await Promise.all([
        C.api(`${base}/`),
        C.api(`${base}/claims/`),
        C.api(`${base}/references/`),
        C.api(`${base}/comparison/`),
        C.api(`${base}/imagery/`),
      ]);
      if (request !== caseRequest) return;
      showCase(id, detail);
      showBoundaries(features(claims), features(references), comparison);
      showComparison(comparison);
      images = features(imagery)
        .filter((feature) => feature.properties.status === "ready")
        .sort((a, b) => String(a.properties.captured_on).localeCompare(String(b.properties.captured_on)));
      showImagery();
      C.showStatus(caseStatus, "", "");
    } catch (error) {
      if (request !== caseRequest) return;
      C.showStatus(caseStatus, "error", `${_("The case could not be loaded:")} ${error.message}`);
    }
  }

  function showCase(id, detail) {
    const p = detail.properties || detail;
    document.getElementById("case-title").textContent = `${p.code} · ${p.title}`;
    document.getElementById("case-meta").textContent = `${config.caseKinds[p.kind] || p.kind} · ${p.village} · ${p.opened_on} · ${config.caseStatuses[p.status] || p.status}`;
    document.getElementById("case-report").href = `/disputes/cases/${encodeURIComponent(id)}/report/`;
  }

  function showBoundaries(claims, references, comparison) {
    const labels = comparison.labels || {};
    const drawn = [];
    const legend = document.getElementById("case-boundaries");
    legend.replaceChildren();
    const add = (feature, kind, index, colours) => {
      const id = feature.id !== undefined ? feature.id : feature.properties.id;
      const key = `${kind}:${id}`;
      const colour = colours[index % colours.length];
      drawn.push({ type: "Feature", geometry: feature.geometry, properties: { key, kind, colour } });
      const swatch = el("span", { class: `swatch swatch-${kind === "claim" ? "fill" : "line"}`, "aria-hidden": "true" });
      if (kind === "claim") swatch.style.background = colour;
      else swatch.style.borderTop = `2px dashed ${colour}`;
      legend.append(el("li", { "data-key": key }, [swatch, labels[key] || key]));
    };
    claims.forEach((feature, index) => add(feature, "claim", index, CLAIM_COLOURS));
    references.forEach((feature, index) => add(feature, "reference", index, REFERENCE_COLOURS));
    map.getSource("boundaries").setData({ type: "FeatureCollection", features: drawn });
    const bounds = new maplibregl.LngLatBounds();
    for (const feature of drawn) C.extendBounds(bounds, feature.geometry.coordinates);
    if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 100, maxZoom: 18, animate: false });
  }


  const number = (value, digits) => (value === null || value === undefined ? "–" : Number(value).toFixed(digits));

  function showComparison(comparison) {
    const labels = comparison.labels || {};
    pairs = comparison.pairs || [];
    const body = document.querySelector("#comparison-table tbody");
    body.replaceChildren(
      ...pairs.map((pair, index) =>
        el("tr", { tabindex: "0", "data-pair": index, onclick: () => choosePair(index), onkeydown: (event) => event.key === "Enter" && choosePair(index) }, [
          el("td", {}, labels[pair.a] || pair.a),
          el("td", {}, labels[pair.b] || pair.b),
          el("td", {}, number(pair.overlap_m2, 1)),
          el("td", {}, number(pair.only_a_m2, 1)),
          el("td", {}, number(pair.only_b_m2, 1)),
          el("td", {}, number(pair.iou, 3)),
          el("td", {}, number(pair.hausdorff_m, 2)),
          el("td", {}, number(pair.largest_offset_m, 2)),
        ]),
      ),
    );
    if (!pairs.length) C.showStatus(caseStatus, "info", _("The case has fewer than two boundaries to compare."));
    // The claims against each other first: that is the dispute.
    const first = pairs.findIndex((pair) => pair.relation === "claim-claim");
    choosePair(first >= 0 ? first : 0);
  }

  function choosePair(index) {
    const pair = pairs[index];
    map.getSource("strips").setData(pair && pair.strips ? pair.strips : EMPTY);
    for (const row of document.querySelectorAll("#comparison-table tbody tr")) {
      row.classList.toggle("selected", Number(row.dataset.pair) === index);
    }
  }

  // ---- imagery on a time slider ---------------------------------------------------------------
  function showImagery() {
    const bar = document.getElementById("imagery-bar");
    bar.hidden = !images.length;
    slider.max = String(Math.max(images.length - 1, 0));
    slider.value = String(Math.max(images.length - 1, 0));
    showImage();
  }

  function showImage() {
    const image = images[Number(slider.value)];
    const label = document.getElementById("imagery-label");
    if (image) {
      const id = image.id !== undefined ? image.id : image.properties.id;
      const tiles = [`${origin}${API}/imagery/${id}/tiles/{z}/{x}/{y}.png`];
      if (map.getSource("imagery")) map.getSource("imagery").setTiles(tiles);
      else {
        map.addSource("imagery", { type: "raster", tiles, tileSize: 256 });
        map.addLayer({ id: "imagery-raster", type: "raster", source: "imagery" }, "strips-fill");
      }
      label.textContent = `${image.properties.captured_on} · ${image.properties.title}`;
    } else {
      label.textContent = "";
    }
    const group = groups.find((g) => g.id === "imagery");
    group.legend = image ? [{ colour: "#868e96", text: C.interpolate(_("%s images; the slider picks the date"), [images.length]) }] : [];
    switcher.render();
    switcher.apply();
  }

  slider.addEventListener("input", showImage);
  document.getElementById("case-back").addEventListener("click", () => C.setState({ case: "" }));

  C.onChange((changed) => {
    if (changed.includes("case") && styleReady) openCase(C.state.case);
  });

  let styleReady = false;
  map.on("load", () => {
    styleReady = true;
    switcher.render();
    switcher.apply();
    openCase(C.state.case);
  });
  loadCases();
})();
