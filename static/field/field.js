// The field officers' page: open cases, the case map, GPS points, photos, and visits kept on
// the phone until they are sent. Every visit carries a key made here (idempotency_key): a
// visit sent twice (a lost answer, a retry) is stored once by the server.
(function () {
  "use strict";

  const API = "/api/v1/disputes/cases/";
  const STORE = {
    cases: "gisgov.field.cases",
    queue: "gisgov.field.queue",
    outcomes: "gisgov.field.outcomes",
    caseData: (id) => `gisgov.field.case.${id}`,
  };
  const TEXT = JSON.parse(document.getElementById("field-texts").textContent);
  const $ = (id) => document.getElementById(id);

  let current = null; // {case, claims, references}
  let draft = newDraft();
  let lastFix = null;
  let walking = false;
  let syncing = false;
  let map = null;
  let boundaryLayer = null;
  let draftLayer = null;
  let imageLayer = null;

  function load(key, fallback) {
    try {
      const value = localStorage.getItem(key);
      return value === null ? fallback : JSON.parse(value);
    } catch (error) {
      return fallback;
    }
  }

  function store(key, value) {
    localStorage.setItem(key, JSON.stringify(value));
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function newDraft() {
    return { points: [], photos: [], startedAt: new Date().toISOString() };
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function say(text) {
    $("message").textContent = text;
  }

  // ---- network state and the queue -------------------------------------------------------

  function showNetwork() {
    const network = $("network");
    network.textContent = navigator.onLine ? network.dataset.online : network.dataset.offline;
    network.className = navigator.onLine ? "online" : "offline";
  }

  function renderQueue() {
    const queue = load(STORE.queue, []);
    $("pending").textContent = String(queue.length);
    const outcomes = load(STORE.outcomes, []);
    $("synced").replaceChildren(
      ...outcomes.filter((o) => !o.conflict).map((o) => item(`${o.caseCode} · ${o.visitedAt} · ${TEXT.synced} #${o.id}`)),
      ...queue.filter((v) => v.rejected).map((v) => item(`${v.caseCode} · ${TEXT.rejected.replace("%s", v.rejected)}`, "rejected")),
    );
    $("conflicts").replaceChildren(
      ...outcomes.filter((o) => o.conflict).map((o) => item(`${o.caseCode} · ${o.visitedAt} · #${o.id} · ${TEXT.conflict}`, "conflict")),
    );
  }

  function item(text, className) {
    const li = document.createElement("li");
    li.textContent = text;
    if (className) li.className = className;
    return li;
  }

  async function sync() {
    if (syncing) return;
    syncing = true;
    try {
      for (const visit of load(STORE.queue, [])) {
        if (visit.rejected) continue;
        let response;
        try {
          response = await fetch(`${API}${visit.caseId}/visits/`, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
            body: JSON.stringify(visit.body),
          });
        } catch (error) {
          break; // no signal: everything stays queued
        }
        if (response.status === 200 || response.status === 201) {
          const saved = await response.json();
          const outcomes = load(STORE.outcomes, []);
          if (!outcomes.some((o) => o.key === visit.key)) {
            outcomes.push({
              key: visit.key, id: saved.id, caseCode: visit.caseCode,
              visitedAt: visit.body.visited_at, conflict: saved.conflict,
            });
            store(STORE.outcomes, outcomes);
          }
          store(STORE.queue, load(STORE.queue, []).filter((v) => v.key !== visit.key));
        } else if (response.status === 400 || response.status === 409) {
          // Kept on the phone with the server's reason, never dropped.
          const reason = await response.text();
          store(STORE.queue, load(STORE.queue, []).map((v) => (v.key === visit.key ? { ...v, rejected: reason } : v)));
        } else {
          break; // logged out, server trouble: try again later
        }
      }
    } finally {
      syncing = false;
      renderQueue();
    }
  }

  // ---- cases ---------------------------------------------------------------------------

  async function fetchJson(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
  }

  async function loadCases() {
    try {
      const page = await fetchJson(`${API}?mine=true&status=open&status=mediating&limit=200`);
      store(STORE.cases, page.features);
    } catch (error) {
      // offline: the copy kept from the last visit to this page
    }
    const cases = load(STORE.cases, []);
    $("no-cases").hidden = cases.length > 0;
    $("cases").replaceChildren(
      ...cases.map((feature) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.caseId = feature.id;
        button.textContent = `${feature.properties.code} ${feature.properties.title}`;
        button.addEventListener("click", () => openCase(feature));
        li.append(button);
        return li;
      }),
    );
    // Boundaries of every open case are kept too, so a case opens with no signal.
    await Promise.all(cases.map((feature) => refreshCaseData(feature).catch(() => null)));
  }

  async function refreshCaseData(feature) {
    const [claims, references] = await Promise.all([
      fetchJson(`${API}${feature.id}/claims/`),
      fetchJson(`${API}${feature.id}/references/`),
    ]);
    const data = { case: feature, claims, references };
    store(STORE.caseData(feature.id), data);
    return data;
  }

  async function openCase(feature) {
    current = load(STORE.caseData(feature.id), null);
    if (!current) {
      try {
        current = await refreshCaseData(feature);
      } catch (error) {
        current = { case: feature, claims: { features: [] }, references: { features: [] } };
      }
    }
    draft = newDraft();
    $("cases-view").hidden = true;
    $("case-view").hidden = false;
    $("case-title").textContent = `${feature.properties.code} ${feature.properties.title}`;
    say("");
    renderDraft();
    drawCase();
    addLatestImage(feature.id);
  }

  // ---- the map -------------------------------------------------------------------------

  function style(colour, dashed) {
    return new ol.style.Style({
      stroke: new ol.style.Stroke({ color: colour, width: 3, lineDash: dashed ? [8, 6] : undefined }),
      fill: new ol.style.Fill({ color: "rgba(255,255,255,0.08)" }),
    });
  }

  function drawCase() {
    const format = new ol.format.GeoJSON({ featureProjection: "EPSG:3857" });
    const features = [
      ...format.readFeatures(current.claims).map((f) => (f.setStyle(style("#e41a1c", false)), f)),
      ...format.readFeatures(current.references).map((f) => (f.setStyle(style("#377eb8", true)), f)),
      format.readFeature(current.case),
    ];
    if (!map) {
      boundaryLayer = new ol.layer.Vector({ source: new ol.source.Vector() });
      draftLayer = new ol.layer.Vector({
        source: new ol.source.Vector(),
        style: new ol.style.Style({
          stroke: new ol.style.Stroke({ color: "#ff9800", width: 3 }),
          image: new ol.style.Circle({ radius: 5, fill: new ol.style.Fill({ color: "#ff9800" }) }),
        }),
      });
      map = new ol.Map({
        target: "map",
        layers: [boundaryLayer, draftLayer],
        view: new ol.View({ center: [0, 0], zoom: 2 }),
      });
    }
    if (imageLayer) {
      map.removeLayer(imageLayer);
      imageLayer = null;
    }
    boundaryLayer.getSource().clear();
    boundaryLayer.getSource().addFeatures(features);
    draftLayer.getSource().clear();
    map.updateSize();
    map.getView().fit(boundaryLayer.getSource().getExtent(), { padding: [30, 30, 30, 30], maxZoom: 19 });
  }

  async function addLatestImage(caseId) {
    try {
      const images = await fetchJson(`${API}${caseId}/imagery/`);
      const latest = images.features[images.features.length - 1];
      if (!latest || !current || current.case.id !== caseId) return;
      imageLayer = new ol.layer.Tile({
        source: new ol.source.XYZ({ url: `/api/v1/disputes/imagery/${latest.id}/tiles/{z}/{x}/{y}.png` }),
      });
      map.getLayers().insertAt(0, imageLayer);
    } catch (error) {
      // no signal: the boundaries alone
    }
  }

  function renderDraft() {
    $("points-count").textContent = String(draft.points.length);
    $("photos").replaceChildren(...draft.photos.map((p) => item(`${p.taken_at} ±${p.accuracy ?? "?"} m`)));
    if (!draftLayer) return;
    const source = draftLayer.getSource();
    source.clear();
    const coordinates = draft.points.map((p) => ol.proj.fromLonLat([p.lon, p.lat]));
    coordinates.forEach((c) => source.addFeature(new ol.Feature(new ol.geom.Point(c))));
    if (coordinates.length > 1) source.addFeature(new ol.Feature(new ol.geom.LineString(coordinates)));
  }

  // ---- GPS, walking, photos ------------------------------------------------------------

  function position() {
    return new Promise((resolve, reject) => {
      navigator.geolocation.getCurrentPosition(
        (fix) => resolve({ lon: fix.coords.longitude, lat: fix.coords.latitude, accuracy: fix.coords.accuracy }),
        (error) => reject(error),
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 },
      );
    });
  }

  async function recordPoint() {
    try {
      lastFix = await position();
    } catch (error) {
      say(TEXT.noGps.replace("%s", error.message));
      return;
    }
    draft.points.push(lastFix);
    $("fix").textContent = `${lastFix.lon.toFixed(6)}, ${lastFix.lat.toFixed(6)} · ${TEXT.accuracy.replace("%s", lastFix.accuracy.toFixed(1))}`;
    renderDraft();
  }

  function toggleWalk() {
    walking = !walking;
    const button = $("walk");
    button.textContent = walking ? button.dataset.stop : button.dataset.start;
    $("walk-point").hidden = !walking;
    if (walking) {
      $("purpose").value = "claim_walk";
      recordPoint();
    }
  }

  function shrink(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onerror = () => reject(reader.error);
      reader.onload = () => {
        const image = new Image();
        image.onerror = () => reject(new Error("not an image"));
        image.onload = () => {
          const scale = Math.min(1, 1280 / Math.max(image.width, image.height));
          const canvas = document.createElement("canvas");
          canvas.width = Math.max(1, Math.round(image.width * scale));
          canvas.height = Math.max(1, Math.round(image.height * scale));
          canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/jpeg", 0.8));
        };
        image.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  async function addPhoto(event) {
    const file = event.target.files[0];
    if (!file) return;
    const takenAt = new Date().toISOString();
    let fix = lastFix;
    try {
      fix = await position();
      lastFix = fix;
    } catch (error) {
      // the last known position, if any
    }
    const data = await shrink(file);
    draft.photos.push({
      data, taken_at: takenAt,
      lon: fix ? fix.lon : null, lat: fix ? fix.lat : null, accuracy: fix ? fix.accuracy : null,
    });
    event.target.value = "";
    renderDraft();
  }

  function saveVisit() {
    if (!draft.points.length) {
      say(TEXT.needPoint);
      return;
    }
    const key = newKey();
    const visit = {
      key,
      caseId: current.case.id,
      caseCode: current.case.properties.code,
      body: {
        idempotency_key: key,
        purpose: $("purpose").value,
        visited_at: draft.startedAt,
        points: draft.points,
        notes: $("notes").value,
        case_version: current.case.properties.version,
        photos: draft.photos,
      },
    };
    const queue = load(STORE.queue, []);
    queue.push(visit);
    store(STORE.queue, queue);
    draft = newDraft();
    $("notes").value = "";
    if (walking) toggleWalk();
    renderDraft();
    renderQueue();
    say(TEXT.saved);
    sync();
  }

  // ---- wiring --------------------------------------------------------------------------

  $("back").addEventListener("click", () => {
    $("case-view").hidden = true;
    $("cases-view").hidden = false;
  });
  $("locate").addEventListener("click", recordPoint);
  $("walk").addEventListener("click", toggleWalk);
  $("walk-point").addEventListener("click", recordPoint);
  $("photo").addEventListener("change", addPhoto);
  $("save").addEventListener("click", saveVisit);
  $("sync").addEventListener("click", sync);
  window.addEventListener("online", () => { showNetwork(); sync(); });
  window.addEventListener("offline", showNetwork);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(() => null);
  }
  showNetwork();
  renderQueue();
  loadCases().then(() => {
    document.body.dataset.ready = "true";
    sync();
  });
})();
