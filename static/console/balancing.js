/* The grid balancing view: a village's current grids coloured by workload, its balancing plans,
   a plan's grids drawn over the current ones with the buildings it moves, the households and
   workload of each grid before and after, and Apply / Discard for those who may change grids.
   Everything comes from /api/v1/grids/workload/ and /api/v1/balancing/ as the logged-in user. */
(function () {
  "use strict";
  const C = window.Console;
  const { config, gettext: _, el } = C;
  const API = "/api/v1/balancing/plans";
  const EMPTY = { type: "FeatureCollection", features: [] };
  const WORKLOAD_COLOURS = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
  const PLAN_COLOUR = "#1c7ed6";
  const MOVED_COLOUR = "#e03131";

  const mapStatus = document.getElementById("map-status");
  const villageStatus = document.getElementById("village-status");
  const listStatus = document.getElementById("plan-list-status");
  const formStatus = document.getElementById("plan-form-status");
  const planStatus = document.getElementById("plan-status");
  const villageSelect = document.getElementById("village-select");

  // ---- the map ----------------------------------------------------------------------------
  const style = C.baseStyle();
  style.sources.current = { type: "geojson", data: EMPTY };
  style.sources["plan-grids"] = { type: "geojson", data: EMPTY };
  style.sources.moved = { type: "geojson", data: EMPTY };
  style.layers.push(
    { id: "current-fill", type: "fill", source: "current", paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.75 } },
    { id: "current-line", type: "line", source: "current", paint: { "line-color": "#495057", "line-width": 1 } },
    { id: "plan-line", type: "line", source: "plan-grids", paint: { "line-color": PLAN_COLOUR, "line-width": 3, "line-dasharray": [2, 1] } },
    {
      id: "moved-circle",
      type: "circle",
      source: "moved",
      paint: { "circle-color": MOVED_COLOUR, "circle-radius": 5, "circle-stroke-color": "#fff", "circle-stroke-width": 1 },
    },
  );

  const map = C.createMap(style, mapStatus);

  // ---- the layer switcher -------------------------------------------------------------------
  const groups = [
    { id: "current", label: _("Current grids by workload"), layers: ["current-fill", "current-line"], legend: [] },
    { id: "plan", label: _("The plan's grids"), layers: ["plan-line"], legend: [{ kind: "line", colour: PLAN_COLOUR, text: _("A grid of the chosen plan (dashed)") }] },
    { id: "moved", label: _("Moved buildings"), layers: ["moved-circle"], legend: [{ kind: "circle", colour: MOVED_COLOUR, text: _("A building the plan moves to another grid") }] },
  ];
  const switcher = C.layerSwitcher(map, groups);

  function fitTo(collection) {
    const bounds = new maplibregl.LngLatBounds();
    for (const feature of collection.features) if (feature.geometry) C.extendBounds(bounds, feature.geometry.coordinates);
    if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 60, maxZoom: 17, animate: false });
  }


  const number = (value, digits = 0) => (value === null || value === undefined ? "–" : Number(value).toFixed(digits));

  // ---- the village's current workload -------------------------------------------------------
  let workloadByCode = {};

  async function loadWorkload(code) {
    C.showStatus(villageStatus, "loading", _("Loading the grids' workload…"));
    try {
      const collection = await C.api(`/api/v1/grids/workload/?area=${encodeURIComponent(code)}`);
      if (code !== C.state.village) return;
      paintWorkload(collection);
      C.showStatus(villageStatus, collection.features.length ? "" : "info", collection.features.length ? "" : _("This village has no current grids."));
    } catch (error) {
      C.showStatus(villageStatus, "error", `${_("The grids' workload could not be loaded:")} ${error.message}`);
    }
  }

  /** Five equal steps between the lightest and the heaviest grid of the village. */
  function paintWorkload(collection) {
    const scores = collection.features.map((feature) => feature.properties.score);
    const low = Math.min(...scores);
    const high = Math.max(...scores);
    const step = (high - low) / WORKLOAD_COLOURS.length || 1;
    const classOf = (score) => Math.min(WORKLOAD_COLOURS.length - 1, Math.floor((score - low) / step));
    for (const feature of collection.features) feature.properties.colour = WORKLOAD_COLOURS[classOf(feature.properties.score)];
    workloadByCode = Object.fromEntries(collection.features.map((feature) => [feature.properties.code, feature.properties]));
    map.getSource("current").setData(collection);
    const group = groups.find((g) => g.id === "current");
    group.legend = scores.length
      ? WORKLOAD_COLOURS.map((colour, i) => ({ kind: "fill", colour, text: `${_("Workload")} ${Math.round(low + i * step)}–${Math.round(low + (i + 1) * step)}` }))
      : [];
    switcher.render();
    switcher.apply();
    fitTo(collection);
  }

  // ---- the plans ------------------------------------------------------------------------------
  const statusLabel = (value) => config.planStatuses[value] || value;

  async function loadPlans(code) {
    C.showStatus(listStatus, "loading", _("Loading…"));
    try {
      const plans = await C.api(`${API}/?parent=${encodeURIComponent(code)}`);
      if (code !== C.state.village) return;
      document.getElementById("plan-list").replaceChildren(
        ...plans.map((plan) =>
          el("li", {}, [
            el("button", { type: "button", class: "link plan-open", "data-plan": plan.id, onclick: () => C.setState({ plan: String(plan.id) }) }, `${_("Plan")} ${plan.id} · ${statusLabel(plan.status)}`),
            el("div", { class: "muted" }, planMeta(plan)),
          ]),
        ),
      );
      C.showStatus(listStatus, plans.length ? "" : "info", plans.length ? "" : _("No plans for this village yet."));
    } catch (error) {
      C.showStatus(listStatus, "error", `${_("The plans could not be loaded:")} ${error.message}`);
    }
  }

  function planMeta(plan) {
    const target = plan.target_kind === "workload" ? C.interpolate(_("%s points per grid"), [number(plan.target_value)]) : C.interpolate(_("%s grids"), [number(plan.target_value)]);
    const start = plan.from_current ? _("from the current grids") : _("from scratch");
    return `${target} · ${start} · ${plan.created_by || "—"} · ${C.formatDateTime(plan.created_at)}`;
  }

  let planRequest = 0;
  let openPlan = null;

  async function showPlan(id) {
    const request = ++planRequest;
    const detail = document.getElementById("plan-detail");
    detail.hidden = !id;
    openPlan = null;
    if (!id) {
      map.getSource("plan-grids").setData(EMPTY);
      map.getSource("moved").setData(EMPTY);
      return;
    }
    C.showStatus(planStatus, "loading", _("Loading the plan…"));
    document.getElementById("plan-actions").hidden = true;
    try {
      const [plan, diff] = await Promise.all([C.api(`${API}/${encodeURIComponent(id)}/`), C.api(`${API}/${encodeURIComponent(id)}/diff/`)]);
      if (request !== planRequest) return;
      openPlan = plan;
      document.getElementById("plan-title").textContent = `${_("Plan")} ${plan.id} · ${statusLabel(plan.status)}`;
      document.getElementById("plan-meta").textContent = `${planMeta(plan)} · ${C.interpolate(_("%s buildings and %s households move"), [diff.buildings_moved, diff.households_moved])}`;
      map.getSource("plan-grids").setData(plan.grids || EMPTY);
      map.getSource("moved").setData({
        type: "FeatureCollection",
        features: diff.moved_buildings.map((move) => ({ type: "Feature", geometry: move.geometry, properties: { building: move.building, from: move.from, to: move.to } })),
      });
      showTable(plan, diff);
      document.getElementById("plan-actions").hidden = !(config.canChangeGrids && plan.status === "draft");
      C.showStatus(planStatus, "", "");
    } catch (error) {
      if (request !== planRequest) return;
      C.showStatus(planStatus, "error", `${_("The plan could not be loaded:")} ${error.message}`);
    }
  }

  const CHANGES = { kept: _("kept"), new: _("new"), closed: _("closed") };

  function showTable(plan, diff) {
    // "Now" is today's workload, meaningful while the plan is a draft of today's grids.
    const current = plan.status === "draft";
    document.querySelector("#plan-table tbody").replaceChildren(
      ...diff.grids.map((row) =>
        el("tr", { "data-code": row.code }, [
          el("td", {}, row.code),
          el("td", { class: "number" }, number(row.households_before)),
          el("td", { class: "number" }, number(row.households_after)),
          el("td", { class: "number" }, current && workloadByCode[row.code] ? number(workloadByCode[row.code].score, 1) : "–"),
          el("td", { class: "number" }, number(row.workload_after, 1)),
          el("td", {}, CHANGES[row.change] || row.change),
        ]),
      ),
    );
  }

  async function decide(action) {
    if (!openPlan) return;
    const buttons = document.querySelectorAll("#plan-actions button");
    for (const button of buttons) button.disabled = true;
    C.showStatus(planStatus, "loading", action === "apply" ? _("Applying the plan…") : _("Discarding the plan…"));
    try {
      await C.api(`${API}/${openPlan.id}/${action}/`, { method: "POST" });
      const village = C.state.village;
      await Promise.all([loadWorkload(village), loadPlans(village)]);
      await showPlan(String(openPlan.id));
      C.showStatus(planStatus, "success", action === "apply" ? _("The plan is applied: the village has its new grids.") : _("The plan is discarded."));
    } catch (error) {
      C.showStatus(planStatus, "error", `${action === "apply" ? _("The plan could not be applied:") : _("The plan could not be discarded:")} ${error.message}`);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  }

  async function createPlan(event) {
    event.preventDefault();
    const button = document.getElementById("plan-create");
    button.disabled = true;
    C.showStatus(formStatus, "loading", _("Making the plan…"));
    try {
      const answer = await C.api(`${API}/`, {
        method: "POST",
        body: {
          parent: C.state.village,
          target_kind: "workload",
          target_value: Number(document.getElementById("plan-target").value),
          from_current: document.getElementById("plan-from-current").checked,
        },
      });
      await loadPlans(C.state.village);
      if (answer.job !== undefined) {
        C.showStatus(formStatus, "info", C.interpolate(_("The village is large: the plan is being made in the background (job %s). Reload the list later."), [answer.job]));
      } else {
        C.showStatus(formStatus, "success", C.interpolate(_("Draft plan %s made."), [answer.id]));
        C.setState({ plan: String(answer.id) });
      }
    } catch (error) {
      C.showStatus(formStatus, "error", `${_("The plan could not be made:")} ${error.message}`);
    } finally {
      button.disabled = false;
    }
  }

  // ---- the village ----------------------------------------------------------------------------
  function openVillage(code) {
    villageSelect.value = code;
    document.getElementById("village-view").hidden = !code;
    C.showStatus(formStatus, "", "");
    if (!code) {
      map.getSource("current").setData(EMPTY);
      C.showStatus(villageStatus, "info", _("Choose a village to see its grids and plans."));
      return;
    }
    loadWorkload(code);
    loadPlans(code);
  }

  for (const village of config.villages) {
    villageSelect.append(el("option", { value: village.code }, `${village.township} · ${village.name} (${village.code})`));
  }
  villageSelect.addEventListener("change", () => C.setState({ village: villageSelect.value, plan: "" }));
  document.getElementById("plan-form").hidden = !config.canChangeGrids;
  document.getElementById("read-only-note").hidden = config.canChangeGrids;
  document.getElementById("plan-form").addEventListener("submit", createPlan);
  document.getElementById("plan-apply").addEventListener("click", () => decide("apply"));
  document.getElementById("plan-discard").addEventListener("click", () => decide("discard"));

  C.onChange((changed) => {
    if (!styleReady) return;
    if (changed.includes("village")) openVillage(C.state.village);
    if (changed.includes("plan")) showPlan(C.state.plan);
  });

  let styleReady = false;
  map.on("load", () => {
    styleReady = true;
    switcher.render();
    switcher.apply();
    openVillage(C.state.village);
    showPlan(C.state.plan);
  });
})();
