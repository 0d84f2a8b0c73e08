/* The map: our vector tiles (areas, grids, buildings, cameras, key sites, incidents), grids
   coloured by workload, a layer switcher with a legend per layer. Every request goes to this
   server: no glyph or sprite URLs (labels are drawn with the browser's own fonts). */
(function () {
  "use strict";
  const C = window.Console;
  const { config, gettext: _, el } = C;
  const origin = window.location.origin;
  const statusBox = document.getElementById("map-status");

  const CATEGORY_COLOURS = {
    dispute: "#d9480f",
    public_safety: "#5f3dc4",
    safety_hazard: "#c92a2a",
    livelihood: "#2b8a3e",
    urban_management: "#1971c2",
    sudden_event: "#e67700",
  };
  const KEY_SITE_COLOURS = {
    entrance: "#495057",
    school: "#f08c00",
    market: "#0c8599",
    hospital: "#e03131",
    bridge: "#6741d9",
    other: "#868e96",
  };
  const WORKLOAD_COLOURS = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
  // The heat tiles' colours (layers/heatmaps/render.py): a log scale from 0 to HEAT_MAX per km².
  const HEAT_MAX = 1000;
  const HEAT_RAMP = ["rgba(0,0,255,0)", "rgba(0,90,255,0.6)", "rgba(0,220,220,0.75)", "rgba(255,230,0,0.85)", "rgba(230,0,0,0.95)"];
  const HEAT_TICKS = [0, 0.25, 0.5, 0.75, 1].map((stop) => Math.round(Math.expm1(stop * Math.log1p(HEAT_MAX))));
  const HOTSPOT_COLOURS = {
    hot_99: "#d7191c",
    hot_95: "#f07c4a",
    hot_90: "#fec980",
    not_significant: "#f0f0f0",
    cold_90: "#c7e6f0",
    cold_95: "#74add1",
    cold_99: "#2c7bb6",
  };
  const LABEL_FONT = ["Noto Sans CJK SC"];
  const labelPaint = { "text-color": "#212529", "text-halo-color": "#ffffff", "text-halo-width": 1.5 };

  function tileUrl(layer, params) {
    const query = params && params.toString() ? `?${params}` : "";
    return `${origin}/tiles/${layer}/{z}/{x}/{y}.mvt${query}`;
  }

  const EMPTY = { type: "FeatureCollection", features: [] };
  const HEAT_MIN_ZOOM = 5;

  /** The shared filters in the heatmap services' terms (from/to, comma-separated lists). */
  function heatParams() {
    const params = new URLSearchParams();
    if (C.state.category.length) params.set("category", C.state.category.join(","));
    if (C.state.status.length) params.set("status", C.state.status.join(","));
    if (C.state.area) params.set("area", C.state.area);
    const { since, until } = C.timeWindow();
    if (since) {
      params.set("from", since.toISOString());
      params.set("to", until.toISOString());
    }
    return params;
  }

  function heatTileUrl() {
    const query = heatParams().toString();
    return `${origin}/tiles/heat/{z}/{x}/{y}.png${query ? `?${query}` : ""}`;
  }

  function vectorSource(layer, params) {
    const spec = config.tileLayers[layer];
    return { type: "vector", tiles: [tileUrl(layer, params)], minzoom: spec.minzoom, maxzoom: spec.maxzoom };
  }

  // ---- the style ---------------------------------------------------------------------------
  const style = { version: 8, sources: {}, layers: [] };
  style.layers.push({ id: "background", type: "background", paint: { "background-color": "#f4f3ef" } });
  if (config.basemapUrl) {
    style.sources.basemap = { type: "raster", tiles: [config.basemapUrl], tileSize: 256 };
    style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
  }

  // What the switcher offers: its MapLibre layers and its legend entries.
  const groups = [];

  function addGroup(group) {
    if (!config.tileLayers[group.tileLayer]) return; // the access policy does not let this user read it
    groups.push(group);
  }

  addGroup({
    id: "areas",
    tileLayer: "areas",
    label: _("Administrative areas"),
    layers: ["areas-fill", "areas-line", "areas-selected", "areas-label-county", "areas-label-township", "areas-label-village"],
    legend: [
      { kind: "line", colour: "#343a40", width: 3, text: _("County") },
      { kind: "line", colour: "#495057", width: 2, text: _("Township (from zoom 10)") },
      { kind: "line", colour: "#868e96", width: 1, text: _("Village (from zoom 12)") },
    ],
  });
  addGroup({
    id: "grids",
    tileLayer: "grids",
    label: _("Grids by workload"),
    layers: ["grids-overview-fill", "grids-overview-line", "grids-fill", "grids-line", "grids-label"],
    legend: [], // filled when the workload arrives
  });
  addGroup({
    id: "buildings",
    tileLayer: "buildings",
    label: _("Buildings"),
    layers: ["buildings-fill"],
    legend: [{ kind: "fill", colour: "#b08968", text: _("Building (from zoom 14)") }],
  });
  addGroup({
    id: "cameras",
    tileLayer: "cameras",
    label: _("Cameras and view sectors"),
    layers: ["camera-sectors", "cameras-point"],
    legend: [
      { kind: "circle", colour: "#1864ab", text: _("Camera in service") },
      { kind: "circle", colour: "#adb5bd", text: _("Camera faulty, offline or planned") },
      { kind: "fill", colour: "rgba(24, 100, 171, 0.25)", text: _("View sector") },
    ],
  });
  addGroup({
    id: "key-sites",
    tileLayer: "key-sites",
    label: _("Key sites"),
    layers: ["key-sites-point", "key-sites-label"],
    legend: Object.entries(KEY_SITE_COLOURS).map(([kind, colour]) => ({ kind: "circle", colour, text: keySiteLabel(kind) })),
  });
  addGroup({
    id: "incidents",
    tileLayer: "incidents",
    label: _("Incidents"),
    layers: ["incident-clusters", "incident-cluster-count", "incidents-point", "incident-selected"],
    legend: [
      { kind: "circle", colour: "#e8590c", text: interpolate(_("Cluster with its count (below zoom %s)"), [config.clusterBelowZoom]) },
      ...Object.entries(CATEGORY_COLOURS).map(([category, colour]) => ({ kind: "circle", colour, text: config.categories[category] })),
    ],
  });

  addGroup({
    id: "heat",
    tileLayer: "incidents",
    label: _("Incident heatmap"),
    layers: ["heat-raster"],
    legend: [
      { kind: "ramp", colour: `linear-gradient(to right, ${HEAT_RAMP.join(", ")})`, text: _("Incidents per km² (log scale)") },
      { kind: "text", text: HEAT_TICKS.map((tick) => (tick === HEAT_MAX ? `≥${tick}` : String(tick))).join(" · ") },
    ],
  });
  addGroup({
    id: "hotspots",
    tileLayer: "incidents",
    label: _("Hot spots (Getis-Ord Gi*)"),
    layers: ["hotspots-fill", "hotspots-line"],
    legend: Object.entries(HOTSPOT_COLOURS).map(([klass, colour]) => ({ kind: "fill", colour, text: hotspotLabel(klass) })),
  });
  addGroup({
    id: "blind-spots",
    tileLayer: "cameras",
    label: _("Camera blind spots"),
    layers: ["coverage-visible", "blind-cells", "blind-sites"],
    legend: [
      { kind: "fill", colour: "rgba(47, 158, 68, 0.3)", text: _("Ground active cameras see") },
      { kind: "fill", colour: "#e03131", text: _("Incident cell outside coverage (darker: more incidents)") },
      { kind: "circle", colour: "#862e9c", text: _("Key site no camera sees") },
    ],
  });

  function interpolate(format, values) {
    return C.interpolate(format, values);
  }

  function hotspotLabel(klass) {
    const [side, level] = klass.split("_");
    if (side === "hot") return C.interpolate(_("Hot spot, %s confidence"), [`${level}%`]);
    if (side === "cold") return C.interpolate(_("Cold spot, %s confidence"), [`${level}%`]);
    return _("Not significant");
  }

  function keySiteLabel(kind) {
    const labels = {
      entrance: _("Village entrance"),
      school: _("School"),
      market: _("Market"),
      hospital: _("Hospital"),
      bridge: _("Bridge"),
      other: _("Other site"),
    };
    return labels[kind];
  }

  const groupIds = groups.map((group) => group.id);
  const hasGroup = (id) => groupIds.includes(id);
  const noBasemap = !config.basemapUrl;

  if (hasGroup("areas")) {
    style.sources.areas = vectorSource("areas");
    style.layers.push(
      {
        id: "areas-fill",
        type: "fill",
        source: "areas",
        "source-layer": "areas",
        filter: ["==", ["get", "level"], 3],
        paint: { "fill-color": noBasemap ? "#fbfaf7" : "rgba(255,255,255,0.1)" },
      },
      {
        id: "areas-line",
        type: "line",
        source: "areas",
        "source-layer": "areas",
        paint: {
          "line-color": ["match", ["get", "level"], 3, "#343a40", 4, "#495057", "#868e96"],
          "line-width": ["match", ["get", "level"], 3, 3, 4, 2, 1],
          "line-dasharray": [3, 1],
        },
      },
      {
        id: "areas-selected",
        type: "line",
        source: "areas",
        "source-layer": "areas",
        filter: ["==", ["get", "code"], ""],
        paint: { "line-color": "#f03e3e", "line-width": 4 },
      },
    );
  }
  if (hasGroup("grids")) {
    style.sources.grids = vectorSource("grids");
    // Grid tiles start at their minzoom; above it the whole county's grids come with their
    // workload (GeoJSON), so the overview still shows them.
    const gridsFrom = config.tileLayers.grids.minzoom;
    style.sources["grid-workload"] = { type: "geojson", data: { type: "FeatureCollection", features: [] } };
    style.layers.push(
      {
        id: "grids-overview-fill",
        type: "fill",
        source: "grid-workload",
        maxzoom: gridsFrom,
        paint: { "fill-color": ["coalesce", ["get", "colour"], "#dee2e6"], "fill-opacity": 0.65 },
      },
      {
        id: "grids-overview-line",
        type: "line",
        source: "grid-workload",
        maxzoom: gridsFrom,
        paint: { "line-color": "#2f9e44", "line-width": 0.5 },
      },
      {
        id: "grids-fill",
        type: "fill",
        source: "grids",
        "source-layer": "grids",
        paint: { "fill-color": "#dee2e6", "fill-opacity": 0.65 },
      },
      {
        id: "grids-line",
        type: "line",
        source: "grids",
        "source-layer": "grids",
        paint: { "line-color": "#2f9e44", "line-width": ["interpolate", ["linear"], ["zoom"], 10, 0.5, 15, 2] },
      },
    );
  }
  if (hasGroup("buildings")) {
    style.sources.buildings = vectorSource("buildings");
    style.layers.push({
      id: "buildings-fill",
      type: "fill",
      source: "buildings",
      "source-layer": "buildings",
      paint: { "fill-color": "#b08968", "fill-outline-color": "#7f5539" },
    });
  }
  if (hasGroup("cameras")) {
    style.sources["camera-sectors"] = { type: "geojson", data: { type: "FeatureCollection", features: [] } };
    style.sources.cameras = vectorSource("cameras");
    style.layers.push(
      {
        id: "camera-sectors",
        type: "fill",
        source: "camera-sectors",
        minzoom: 13,
        paint: { "fill-color": "#1864ab", "fill-opacity": 0.25, "fill-outline-color": "#1864ab" },
      },
      {
        id: "cameras-point",
        type: "circle",
        source: "cameras",
        "source-layer": "cameras",
        paint: {
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 10, 2, 16, 6],
          "circle-color": ["match", ["get", "status"], "active", "#1864ab", "#adb5bd"],
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 1,
        },
      },
    );
  }
  if (hasGroup("key-sites")) {
    style.sources["key-sites"] = vectorSource("key-sites");
    const colours = ["match", ["get", "kind"]];
    for (const [kind, colour] of Object.entries(KEY_SITE_COLOURS)) colours.push(kind, colour);
    colours.push("#868e96");
    style.layers.push({
      id: "key-sites-point",
      type: "circle",
      source: "key-sites",
      "source-layer": "key-sites",
      paint: { "circle-radius": 5, "circle-color": colours, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 },
    });
  }
  if (hasGroup("heat")) {
    style.sources.heat = { type: "raster", tiles: [heatTileUrl()], tileSize: 256, minzoom: HEAT_MIN_ZOOM, maxzoom: 22 };
    style.layers.push({ id: "heat-raster", type: "raster", source: "heat", paint: { "raster-opacity": 0.8 } });
  }
  if (hasGroup("hotspots")) {
    style.sources.hotspots = { type: "geojson", data: EMPTY };
    const colours = ["match", ["get", "class"]];
    for (const [klass, colour] of Object.entries(HOTSPOT_COLOURS)) colours.push(klass, colour);
    colours.push("#f0f0f0");
    style.layers.push(
      {
        id: "hotspots-fill",
        type: "fill",
        source: "hotspots",
        paint: { "fill-color": colours, "fill-opacity": ["match", ["get", "class"], "not_significant", 0.05, 0.5] },
      },
      {
        id: "hotspots-line",
        type: "line",
        source: "hotspots",
        filter: ["!=", ["get", "class"], "not_significant"],
        paint: { "line-color": "#ffffff", "line-width": 0.5 },
      },
    );
  }
  if (hasGroup("blind-spots")) {
    style.sources["coverage-visible"] = { type: "geojson", data: EMPTY };
    style.sources["blind-spots"] = { type: "geojson", data: EMPTY };
    style.layers.push(
      { id: "coverage-visible", type: "fill", source: "coverage-visible", paint: { "fill-color": "#2f9e44", "fill-opacity": 0.3 } },
      {
        id: "blind-cells",
        type: "fill",
        source: "blind-spots",
        filter: ["==", ["get", "layer"], "cell"],
        paint: {
          "fill-color": "#e03131",
          "fill-opacity": ["interpolate", ["linear"], ["get", "incidents"], 0, 0.15, 5, 0.5, 20, 0.8],
          "fill-outline-color": "#c92a2a",
        },
      },
      {
        id: "blind-sites",
        type: "circle",
        source: "blind-spots",
        filter: ["==", ["get", "layer"], "key_site"],
        paint: { "circle-radius": 6, "circle-color": "#862e9c", "circle-stroke-color": "#fff", "circle-stroke-width": 2 },
      },
    );
  }
  if (hasGroup("incidents")) {
    style.sources.incidents = vectorSource("incidents", C.filterParams());
    const colours = ["match", ["get", "category"]];
    for (const [category, colour] of Object.entries(CATEGORY_COLOURS)) colours.push(category, colour);
    colours.push("#495057");
    style.layers.push(
      {
        id: "incident-clusters",
        type: "circle",
        source: "incidents",
        "source-layer": "incidents",
        filter: ["has", "count"],
        paint: {
          "circle-color": "#e8590c",
          "circle-opacity": 0.75,
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 1,
          "circle-radius": ["interpolate", ["linear"], ["get", "count"], 1, 6, 50, 14, 500, 24, 5000, 34],
        },
      },
      {
        id: "incidents-point",
        type: "circle",
        source: "incidents",
        "source-layer": "incidents",
        filter: ["!", ["has", "count"]],
        paint: { "circle-radius": 6, "circle-color": colours, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 },
      },
      {
        id: "incident-selected",
        type: "circle",
        source: "incidents",
        "source-layer": "incidents",
        filter: selectedFilter(),
        paint: { "circle-radius": 11, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#212529", "circle-stroke-width": 3 },
      },
    );
  }
  // Labels go on top of every shape.
  const label = (id, source, minzoom, maxzoom, filter, size) => ({
    id,
    type: "symbol",
    source,
    "source-layer": source,
    minzoom,
    maxzoom,
    filter,
    layout: { "text-field": ["get", "name"], "text-font": LABEL_FONT, "text-size": size },
    paint: labelPaint,
  });
  if (hasGroup("areas")) {
    style.layers.push(
      label("areas-label-county", "areas", 0, 10, ["==", ["get", "level"], 3], 16),
      label("areas-label-township", "areas", 10, 12, ["==", ["get", "level"], 4], 14),
      label("areas-label-village", "areas", 12, 24, ["==", ["get", "level"], 5], 13),
    );
  }
  if (hasGroup("grids")) style.layers.push(label("grids-label", "grids", 13, 24, true, 12));
  if (hasGroup("key-sites")) style.layers.push(label("key-sites-label", "key-sites", 15, 24, true, 11));
  if (hasGroup("incidents")) {
    style.layers.push({
      id: "incident-cluster-count",
      type: "symbol",
      source: "incidents",
      "source-layer": "incidents",
      filter: ["has", "count"],
      // Counts that would overlap are left out; the circle sizes still tell them apart.
      layout: { "text-field": ["to-string", ["get", "count"]], "text-font": LABEL_FONT, "text-size": 11 },
      paint: { "text-color": "#ffffff" },
    });
  }

  // ---- the map ---------------------------------------------------------------------------
  const view = parseView(C.state.map);
  const map = C.createMap(style, statusBox, view);

  function parseView(text) {
    const parts = (text || "").split("/").map(Number);
    if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return null;
    return { zoom: parts[0], center: [parts[2], parts[1]] };
  }

  map.on("moveend", () => {
    const center = map.getCenter();
    C.setState({ map: `${map.getZoom().toFixed(2)}/${center.lat.toFixed(5)}/${center.lng.toFixed(5)}` });
  });

  // ---- the layer switcher -------------------------------------------------------------------
  const defaultLayers = ["areas", "grids", "buildings", "key-sites", "incidents"].filter(hasGroup);

  function visibleGroups() {
    return C.state.layers === null ? defaultLayers : C.state.layers.filter(hasGroup);
  }

  const switcher = C.layerSwitcher(map, groups, {
    shownIds: visibleGroups,
    toggle: (id, checked) => {
      const next = new Set(visibleGroups());
      if (checked) next.add(id);
      else next.delete(id);
      C.setState({ layers: groupIds.filter((groupId) => next.has(groupId)) });
    },
  });
  const renderSwitcher = switcher.render;

  function applyVisibility() {
    switcher.apply();
    const shown = visibleGroups();
    if (shown.includes("cameras")) loadCameraSectors();
    if (shown.includes("hotspots")) loadHotspots();
    if (shown.includes("blind-spots")) loadBlindSpots();
  }

  // ---- analysis layers (hot spots, blind spots): computed for one area on demand --------------
  const analysisRequests = {};
  const analysisLoadedFor = {};

  function setNote(groupId, kind, text) {
    const group = groups.find((g) => g.id === groupId);
    group.note = text;
    group.noteKind = kind;
    const note = document.getElementById(`note-${groupId}`);
    if (!note) return;
    note.textContent = text;
    note.className = `layer-note ${kind}`;
    note.hidden = !text;
  }

  /** The area an analysis runs on: the area filter, or the only top area (the county). */
  function analysisArea() {
    if (C.state.area) return C.state.area;
    return config.topAreas.length === 1 ? config.topAreas[0] : "";
  }

  /** Loads an analysis layer's GeoJSON once per filter state; the page tells what happens. */
  async function loadAnalysis(groupId, url, apply) {
    if (!hasGroup(groupId) || !visibleGroups().includes(groupId)) return;
    const area = analysisArea();
    const key = area ? `${url}?${analysisKeyParams(area)}` : "";
    if (key && analysisLoadedFor[groupId] === key) return;
    analysisLoadedFor[groupId] = key;
    const request = (analysisRequests[groupId] || 0) + 1;
    analysisRequests[groupId] = request;
    if (!area) {
      apply(EMPTY);
      setNote(groupId, "info", _("Choose an area in the filter bar to compute this layer."));
      return;
    }
    setNote(groupId, "loading", _("Computing…"));
    try {
      const collection = await C.api(key);
      if (analysisRequests[groupId] !== request) return;
      setNote(groupId, "", apply(collection));
    } catch (error) {
      if (analysisRequests[groupId] !== request) return;
      analysisLoadedFor[groupId] = "";
      apply(EMPTY);
      setNote(groupId, "error", error.message);
    }
  }

  function analysisKeyParams(area) {
    const params = heatParams();
    params.set("area", area);
    return params;
  }

  function loadHotspots() {
    return loadAnalysis("hotspots", "/api/v1/heatmaps/hotspots/", (collection) => {
      map.getSource("hotspots").setData(collection);
      const hot = collection.features.filter((f) => String(f.properties.class).startsWith("hot")).length;
      const cold = collection.features.filter((f) => String(f.properties.class).startsWith("cold")).length;
      return collection === EMPTY ? "" : C.interpolate(_("%s hot and %s cold hexagons."), [hot, cold]);
    });
  }

  function loadBlindSpots() {
    // The visible ground of the cameras does not depend on the time window: loaded per area.
    const area = analysisArea();
    if (area && sectorsArea !== area) {
      sectorsArea = area;
      C.api(`/api/v1/coverage/sectors/?area=${encodeURIComponent(area)}`)
        .then((collection) => map.getSource("coverage-visible").setData(collection))
        .catch((error) => {
          sectorsArea = "";
          setNote("blind-spots", "error", error.message);
        });
    }
    return loadAnalysis("blind-spots", "/api/v1/coverage/blind-spots/", (collection) => {
      map.getSource("blind-spots").setData(collection);
      if (collection === EMPTY) return "";
      return C.interpolate(_("%s key sites and %s incident cells outside coverage."), [collection.key_sites, collection.cells]);
    });
  }
  let sectorsArea = "";

  // ---- grids coloured by workload -------------------------------------------------------------
  let workloadRequest = 0;

  async function loadWorkload() {
    if (!hasGroup("grids")) return;
    const request = ++workloadRequest;
    const codes = C.state.area ? [C.state.area] : config.topAreas;
    const { since, until } = C.timeWindow();
    try {
      const tables = await Promise.all(
        codes.map((code) => {
          const params = new URLSearchParams({ area: code });
          if (since) {
            params.set("since", since.toISOString());
            params.set("until", until.toISOString());
          }
          return C.api(`/api/v1/grids/workload/?${params}`);
        }),
      );
      if (request !== workloadRequest) return;
      const features = tables.flatMap((table) => table.features);
      paintWorkload(features);
    } catch (error) {
      C.showStatus(statusBox, "error", `${_("Grid workload could not be loaded:")} ${error.message}`);
    }
  }

  function paintWorkload(features) {
    const group = groups.find((g) => g.id === "grids");
    const rows = features.map((feature) => feature.properties);
    const scores = rows.map((row) => row.score).sort((a, b) => a - b);
    if (!scores.length) {
      map.setPaintProperty("grids-fill", "fill-color", "#dee2e6");
      map.getSource("grid-workload").setData({ type: "FeatureCollection", features: [] });
      group.legend = [{ kind: "fill", colour: "#dee2e6", text: _("Grid (no workload in this area)") }];
      renderSwitcher();
      return;
    }
    // Quintile breaks, so each colour holds about a fifth of the grids.
    const breaks = [1, 2, 3, 4].map((i) => scores[Math.min(scores.length - 1, Math.floor((i * scores.length) / 5))]);
    const classOf = (score) => breaks.filter((limit) => score >= limit).length;
    const expression = ["match", ["get", "code"]];
    for (const row of rows) expression.push(row.code, WORKLOAD_COLOURS[classOf(row.score)]);
    expression.push("#dee2e6");
    map.setPaintProperty("grids-fill", "fill-color", expression);
    for (const feature of features) feature.properties.colour = WORKLOAD_COLOURS[classOf(feature.properties.score)];
    map.getSource("grid-workload").setData({ type: "FeatureCollection", features });
    workloadByCode = Object.fromEntries(rows.map((row) => [row.code, row]));
    const bounds = [scores[0], ...breaks, scores[scores.length - 1]];
    group.legend = WORKLOAD_COLOURS.map((colour, i) => ({
      kind: "fill",
      colour,
      text: `${_("Workload")} ${Math.round(bounds[i])}–${Math.round(bounds[i + 1])}`,
    }));
    renderSwitcher();
  }
  let workloadByCode = {};

  // ---- camera view sectors (from the REST API: the tiles carry points) -------------------------
  let sectorsLoaded = false;

  async function loadCameraSectors() {
    if (sectorsLoaded || !hasGroup("cameras")) return;
    sectorsLoaded = true;
    try {
      const features = [];
      let url = "/api/v1/cameras/?limit=10000";
      while (url) {
        const page = await C.api(url);
        features.push(...page.features);
        const next = (page.links || []).find((link) => link.rel === "next");
        url = next ? next.href : null;
      }
      map.getSource("camera-sectors").setData({ type: "FeatureCollection", features: features.map(sector).filter(Boolean) });
    } catch (error) {
      sectorsLoaded = false;
      C.showStatus(statusBox, "error", `${_("Camera sectors could not be loaded:")} ${error.message}`);
    }
  }

  function sector(feature) {
    const p = feature.properties;
    if (!feature.geometry || p.azimuth === null || p.azimuth === undefined || !p.range_m) return null;
    const [lon, lat] = feature.geometry.coordinates;
    const fov = p.field_of_view || 60;
    const metresPerDegreeLat = 111320;
    const metresPerDegreeLon = metresPerDegreeLat * Math.cos((lat * Math.PI) / 180);
    const ring = [[lon, lat]];
    for (let step = 0; step <= 12; step++) {
      const bearing = ((p.azimuth - fov / 2 + (fov * step) / 12) * Math.PI) / 180;
      ring.push([lon + (p.range_m * Math.sin(bearing)) / metresPerDegreeLon, lat + (p.range_m * Math.cos(bearing)) / metresPerDegreeLat]);
    }
    ring.push([lon, lat]);
    return { type: "Feature", properties: { code: p.code }, geometry: { type: "Polygon", coordinates: [ring] } };
  }

  // ---- filters ------------------------------------------------------------------------------
  let tileVersion = 0;

  function refreshIncidentTiles() {
    if (!hasGroup("incidents")) return;
    const params = C.filterParams();
    if (tileVersion) params.set("v", tileVersion);
    map.getSource("incidents").setTiles([tileUrl("incidents", params)]);
  }

  /** The incident open in the side panel is ringed on the map. */
  function selectedFilter() {
    const id = Number(C.state.incident);
    return ["all", ["!", ["has", "count"]], ["==", ["id"], Number.isFinite(id) && id > 0 ? id : -1]];
  }

  function applyAreaHighlight() {
    if (map.getLayer("areas-selected")) map.setFilter("areas-selected", ["==", ["get", "code"], C.state.area || ""]);
  }

  C.onChange((changed) => {
    if (!styleReady) return; // the "load" handler applies the state as it is then
    if (C.filtersChanged(changed)) {
      refreshIncidentTiles();
      if (hasGroup("heat")) map.getSource("heat").setTiles([heatTileUrl()]);
      loadHotspots();
      loadBlindSpots();
      loadWorkload();
      applyAreaHighlight();
    }
    if (changed.includes("layers")) {
      renderSwitcher();
      applyVisibility();
    }
    if (changed.includes("map")) followViewInUrl();
    if (changed.includes("incident") && map.getLayer("incident-selected")) map.setFilter("incident-selected", selectedFilter());
  });

  /** Moves the map to the view the URL names, when someone edits or pastes it. */
  function followViewInUrl() {
    const target = parseView(C.state.map);
    const center = map.getCenter();
    if (target && (Math.abs(target.zoom - map.getZoom()) > 0.01 || Math.abs(target.center[0] - center.lng) > 1e-4 || Math.abs(target.center[1] - center.lat) > 1e-4)) {
      map.jumpTo(target);
    }
  }

  // ---- clicks ---------------------------------------------------------------------------------
  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: "320px" });
  const clickable = ["incidents-point", "incident-clusters", "cameras-point", "key-sites-point", "grids-fill", "grids-overview-fill"].filter((id) => style.layers.some((layer) => layer.id === id));

  map.on("click", (event) => {
    const features = map.queryRenderedFeatures(event.point, { layers: clickable });
    if (!features.length) return;
    const feature = features[0];
    const p = feature.properties;
    if (feature.layer.id === "incident-clusters") {
      map.easeTo({ center: event.lngLat, zoom: Math.min(map.getZoom() + 2, config.clusterBelowZoom) });
    } else if (feature.layer.id === "incidents-point") {
      const id = feature.id !== undefined ? feature.id : p.id;
      if (id !== undefined) C.setState({ incident: String(id) });
    } else if (feature.layer.id === "grids-fill" || feature.layer.id === "grids-overview-fill") {
      const row = workloadByCode[p.code];
      const lines = [el("strong", {}, p.name), el("div", {}, `${_("Grid code")}: ${p.code}`)];
      if (row) {
        lines.push(
          el("div", {}, `${_("Workload")}: ${row.score.toFixed(1)}`),
          el("div", {}, `${_("Households")}: ${row.households} · ${_("Residents")}: ${row.residents}`),
          el("div", {}, `${_("Incidents")}: ${row.incidents}`),
        );
      }
      popup.setLngLat(event.lngLat).setDOMContent(el("div", {}, lines)).addTo(map);
    } else {
      popup.setLngLat(event.lngLat).setDOMContent(el("div", {}, [el("strong", {}, p.name || p.code), p.code ? el("div", {}, p.code) : null])).addTo(map);
    }
  });
  for (const id of clickable) {
    map.on("mouseenter", id, () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", id, () => (map.getCanvas().style.cursor = ""));
  }

  let styleReady = false;
  map.on("load", () => {
    styleReady = true;
    followViewInUrl();
    renderSwitcher();
    applyVisibility();
    applyAreaHighlight();
    loadWorkload();
  });

  /** Called by the incident view after a change: the incident tiles are fetched again. */
  window.ConsoleMap = {
    map,
    refreshIncidents() {
      tileVersion += 1;
      refreshIncidentTiles();
    },
    /** Pans to an incident opened from the list when it lies outside the view. */
    reveal(coordinates) {
      if (!map.getBounds().contains(coordinates)) map.easeTo({ center: coordinates, duration: 300 });
    },
    flyTo(coordinates) {
      map.flyTo({ center: coordinates, zoom: Math.max(map.getZoom(), config.clusterBelowZoom + 1) });
    },
  };
})();
