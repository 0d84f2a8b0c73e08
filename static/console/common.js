/* Shared by the console pages: settings from the server, API calls, and the filter state that the
   map, the incident list and the charts all follow. The state lives in the URL hash so a link
   reproduces the view. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("console-config").textContent);
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((format, values) => format);
  const DAY_MS = 24 * 3600 * 1000;
  const LIST_KEYS = ["category", "status", "layers"];

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /** The problem a 4xx/5xx body names, as one line a person can read. */
  function describeError(status, body) {
    if (body && typeof body === "object") {
      if (typeof body.detail === "string") return body.detail;
      const parts = [];
      for (const [field, messages] of Object.entries(body)) {
        const text = Array.isArray(messages) ? messages.join(" ") : JSON.stringify(messages);
        parts.push(field === "non_field_errors" ? text : `${field}: ${text}`);
      }
      if (parts.length) return parts.join("; ");
    }
    return interpolate(gettext("The server answered %s."), [status]);
  }

  /** fetch() for our own APIs: session cookie, CSRF header on writes, JSON or a thrown ApiError. */
  async function api(url, options = {}) {
    const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    const method = (options.method || "GET").toUpperCase();
    let body = options.body;
    if (method !== "GET") {
      headers["X-CSRFToken"] = csrfToken();
      if (body && !(body instanceof FormData)) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(body);
      }
    }
    let response;
    try {
      response = await fetch(url, { method, headers, body, credentials: "same-origin" });
    } catch (error) {
      throw new ApiError(0, gettext("The server cannot be reached. Check the network and try again."));
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (error) {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, describeError(response.status, data), data);
    return data;
  }

  /** A DOM element: el("li", {class: "x", onclick: f}, [children or text]). */
  function el(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of [].concat(children)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Shows loading, error or information text in a status element; empty text hides it. */
  function showStatus(element, kind, text) {
    element.className = text ? `notice notice-${kind}` : "";
    element.textContent = text || "";
    element.hidden = !text;
  }

  /** The code prefix a division's descendants share: 419821000000 (a county) → "419821". */
  function divisionPrefix(code) {
    for (const length of [2, 4, 6, 9]) {
      if (/^0+$/.test(code.slice(length))) return code.slice(0, length);
    }
    return code;
  }

  /** A map style holding what every console page draws under its own layers: the background,
   * the configured basemap and the outlines of administrative areas. */
  function baseStyle() {
    const style = { version: 8, sources: {}, layers: [] };
    style.layers.push({ id: "background", type: "background", paint: { "background-color": "#f4f3ef" } });
    if (config.basemapUrl) {
      style.sources.basemap = { type: "raster", tiles: [config.basemapUrl], tileSize: 256 };
      style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
    }
    if (config.tileLayers.areas) {
      const spec = config.tileLayers.areas;
      style.sources.areas = { type: "vector", tiles: [`${location.origin}/tiles/areas/{z}/{x}/{y}.mvt`], minzoom: spec.minzoom, maxzoom: spec.maxzoom };
      style.layers.push({
        id: "areas-line",
        type: "line",
        source: "areas",
        "source-layer": "areas",
        paint: { "line-color": "#868e96", "line-width": 1, "line-dasharray": [3, 1] },
      });
    }
    return style;
  }

  /**
   * The console's MapLibre map in #map: our controls, the county's extent unless a view is given,
   * and loading and errors told in `statusBox` rather than the browser console.
   */
  function createMap(style, statusBox, view = null) {
    const map = new maplibregl.Map({
      container: "map",
      style,
      center: view ? view.center : config.center,
      zoom: view ? view.zoom : 10,
      localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
      attributionControl: false,
      maxPitch: 0,
    });
    window.consoleMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    if (!view && config.extent) {
      const [west, south, east, north] = config.extent;
      map.fitBounds([[west, south], [east, north]], { padding: 20, animate: false });
    }
    let mapError = "";
    map.on("dataloading", () => {
      if (!mapError) showStatus(statusBox, "loading", gettext("Loading map data…"));
    });
    map.on("idle", () => {
      if (!mapError) showStatus(statusBox, "", "");
    });
    map.on("error", (event) => {
      const status = event.error && event.error.status;
      mapError = status
        ? interpolate(gettext("Some map data could not be loaded (the server answered %s)."), [status])
        : gettext("Some map data could not be loaded.");
      showStatus(statusBox, "error", mapError);
      setTimeout(() => {
        mapError = "";
      }, 5000);
    });
    return map;
  }

  /** Grows `bounds` by every position of a GeoJSON geometry's coordinates, at any nesting. */
  function extendBounds(bounds, coordinates) {
    if (typeof coordinates[0] === "number") bounds.extend(coordinates);
    else for (const part of coordinates) extendBounds(bounds, part);
  }

  function legendEntry(entry) {
    if (entry.kind === "text") return el("li", { class: "legend-ticks" }, entry.text);
    const kind = entry.kind || "fill";
    const swatch = el("span", { class: `swatch swatch-${kind}`, "aria-hidden": "true" });
    if (kind === "line") swatch.style.borderTop = `${entry.width || 3}px dashed ${entry.colour}`;
    else swatch.style.background = entry.colour;
    return el("li", {}, [swatch, entry.text]);
  }

  /**
   * The layer switcher in #layer-list: a checkbox, a legend and a status note per group of
   * MapLibre layers. `shownIds()` names the groups the user wants and `toggle(id, checked)`
   * records a change, for a page that keeps them elsewhere (the URL); otherwise the switcher
   * keeps them itself, starting from `initial`. A group with `available()` false stays hidden
   * whatever the user wants (an imagery layer with no image yet). `render()` after a group's
   * legend changes.
   */
  function layerSwitcher(map, groups, { initial = groups.map((group) => group.id), shownIds, toggle } = {}) {
    if (!shownIds) {
      const shown = new Set(initial);
      shownIds = () => [...shown];
      toggle = (id, checked) => {
        if (checked) shown.add(id);
        else shown.delete(id);
        apply();
      };
    }

    function render() {
      const list = document.getElementById("layer-list");
      list.replaceChildren();
      const shown = shownIds();
      for (const group of groups) {
        const box = el("input", {
          type: "checkbox",
          id: `layer-${group.id}`,
          checked: shown.includes(group.id),
          onchange: (event) => toggle(group.id, event.target.checked),
        });
        const legend = el("ul", { class: "legend", id: `legend-${group.id}` }, group.legend.map(legendEntry));
        // What an analysis layer is doing or why it shows nothing: told beside its legend.
        const note = el("p", { class: `layer-note ${group.noteKind || ""}`, id: `note-${group.id}`, role: "status" }, group.note || "");
        note.hidden = !group.note;
        list.append(el("li", {}, [el("label", {}, [box, " ", group.label]), legend, note]));
      }
    }

    function apply() {
      const shown = shownIds();
      for (const group of groups) {
        const visible = shown.includes(group.id) && (!group.available || group.available());
        for (const id of group.layers) {
          if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", visible ? "visible" : "none");
        }
      }
    }

    return { render, apply };
  }

  function formatDateTime(value) {
    if (!value) return "—";
    const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
    return date.toLocaleString(document.documentElement.lang || undefined, { hour12: false });
  }

  function formatDate(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }

  // ---- the shared filter state ------------------------------------------------------------
  const defaults = { category: [], status: [], area: "", window: "365", end: "0", layers: null, map: "", incident: "", case: "", village: "", plan: "" };
  const state = Object.assign({}, defaults);
  const listeners = [];
  let writtenHash = null; // the hash as we last wrote it

  function readHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    for (const key of Object.keys(defaults)) {
      if (!params.has(key)) {
        state[key] = Array.isArray(defaults[key]) ? [] : defaults[key];
        continue;
      }
      const value = params.get(key);
      state[key] = LIST_KEYS.includes(key) ? value.split(",").filter(Boolean) : value;
    }
  }

  function writeHash() {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(state)) {
      if (value === null || value === "" || (Array.isArray(value) && !value.length && key !== "layers")) continue;
      if (String(value) === String(defaults[key])) continue;
      params.set(key, Array.isArray(value) ? value.join(",") : value);
    }
    const hash = params.toString().replace(/%2C/g, ",").replace(/%2F/g, "/");
    history.replaceState(null, "", hash ? `#${hash}` : location.pathname + location.search);
    writtenHash = location.hash;
    for (const link of document.querySelectorAll("#nav-map, #nav-dashboard, #nav-disputes, #nav-balancing")) {
      link.hash = hash;
    }
  }

  /** Changes the state; `changed` tells listeners which keys moved (filters, map, incident…). */
  function setState(patch) {
    // A hash typed or pasted since our last write, whose hashchange event has not come yet,
    // is taken in first rather than overwritten.
    if (location.hash !== writtenHash) followHash();
    const changed = Object.keys(patch).filter((key) => JSON.stringify(state[key]) !== JSON.stringify(patch[key]));
    if (!changed.length) return;
    Object.assign(state, patch);
    writeHash();
    for (const listener of listeners) listener(changed);
  }

  function onChange(listener) {
    listeners.push(listener);
  }

  /** The reporting window [since, until) the time slider chooses, or nulls for all time. */
  function timeWindow() {
    const days = Number(state.window);
    if (!days) return { since: null, until: null };
    const today = new Date();
    today.setHours(0, 0, 0, 0);
    const until = new Date(today.getTime() + (1 + Number(state.end)) * DAY_MS);
    const since = new Date(until.getTime() - days * DAY_MS);
    return { since, until };
  }

  /** The filters as API query parameters (the same for REST lists, tiles and statistics). */
  function filterParams() {
    const params = new URLSearchParams();
    for (const value of state.category) params.append("category", value);
    for (const value of state.status) params.append("status", value);
    if (state.area) params.set("area", state.area);
    const { since, until } = timeWindow();
    if (since) {
      params.set("since", since.toISOString());
      params.set("until", until.toISOString());
    }
    return params;
  }

  const FILTER_KEYS = ["category", "status", "area", "window", "end"];

  function filtersChanged(changed) {
    return changed.some((key) => FILTER_KEYS.includes(key));
  }

  function bindFilterBar() {
    const form = document.getElementById("filters");
    if (!form) return;
    form.addEventListener("submit", (event) => event.preventDefault()); // filters apply as they change
    const windowSelect = document.getElementById("time-window");
    const endSlider = document.getElementById("time-end");
    const rangeOutput = document.getElementById("time-range");

    function render() {
      for (const box of form.querySelectorAll("input[type=checkbox]")) {
        box.checked = state[box.name].includes(box.value);
      }
      for (const details of form.querySelectorAll("details.dropdown")) {
        const count = details.querySelectorAll("input:checked").length;
        details.querySelector("[data-count]").textContent = count ? `(${count})` : "";
      }
      document.getElementById("filter-area").value = state.area;
      windowSelect.value = state.window;
      endSlider.value = state.end;
      endSlider.disabled = state.window === "0";
      const { since, until } = timeWindow();
      rangeOutput.textContent = since
        ? `${formatDate(since)} — ${formatDate(new Date(until.getTime() - DAY_MS))}`
        : gettext("All time");
    }

    form.addEventListener("change", (event) => {
      const target = event.target;
      if (target.type === "checkbox") {
        const values = [...form.querySelectorAll(`input[name=${target.name}]:checked`)].map((box) => box.value);
        setState({ [target.name]: values });
      } else if (target.id === "filter-area") {
        setState({ area: target.value });
      } else if (target === windowSelect) {
        setState({ window: target.value });
      } else if (target === endSlider) {
        setState({ end: target.value });
      }
    });
    // The slider's label follows it while it is dragged; the data follows when it is let go.
    endSlider.addEventListener("input", () => {
      const saved = state.end;
      state.end = endSlider.value;
      render();
      state.end = saved;
    });
    document.getElementById("filters-reset").addEventListener("click", () => {
      setState({ category: [], status: [], area: "", window: defaults.window, end: defaults.end });
    });
    onChange(render);
    render();
  }

  function followHash() {
    const old = Object.assign({}, state);
    readHash();
    writtenHash = location.hash;
    const changed = Object.keys(state).filter((key) => JSON.stringify(state[key]) !== JSON.stringify(old[key]));
    if (changed.length) for (const listener of listeners) listener(changed);
  }

  readHash();
  window.addEventListener("hashchange", followHash);

  window.Console = {
    config,
    gettext,
    interpolate,
    api,
    ApiError,
    el,
    showStatus,
    divisionPrefix,
    baseStyle,
    createMap,
    extendBounds,
    layerSwitcher,
    formatDateTime,
    formatDate,
    state,
    setState,
    onChange,
    filterParams,
    filtersChanged,
    timeWindow,
    writeHash,
  };
  bindFilterBar();
  writeHash();
})();
