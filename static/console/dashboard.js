/* The supervision dashboard: distributions, the completion-rate ranking and the overdue list,
   from the supervision statistics API (/api/v1/supervision/), following the shared filters. */
(function () {
  "use strict";
  const C = window.Console;
  const { config, gettext: _, el, api } = C;
  const statusBox = document.getElementById("dashboard-status");
  const charts = {};
  const SERIES_COLOUR = "#c92a2a";

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: "svg" });
    return charts[id];
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
  }

  /** The shared filters as the supervision API takes them: from/to are days, both included. */
  function params(extra) {
    const query = C.filterParams();
    const { since, until } = C.timeWindow();
    query.delete("since");
    query.delete("until");
    if (since) {
      query.set("from", C.formatDate(since));
      query.set("to", C.formatDate(new Date(until.getTime() - 86400000)));
    }
    for (const [name, value] of Object.entries(extra)) query.set(name, value);
    return query;
  }

  function barChart(id, rows, horizontal) {
    const labels = rows.map((row) => row.label || row.key);
    const values = rows.map((row) => row.total);
    const category = { type: "category", data: labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    const value = { type: "value", minInterval: 1 };
    chart(id).setOption(
      {
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: horizontal ? 110 : 50, right: 20, top: 20, bottom: horizontal ? 30 : 80 },
        xAxis: horizontal ? value : category,
        yAxis: horizontal ? Object.assign(category, { inverse: true }) : value,
        series: [{ type: "bar", name: _("Incidents"), data: values, itemStyle: { color: SERIES_COLOUR } }],
      },
      true,
    );
  }

  function pieChart(id, rows) {
    chart(id).setOption(
      {
        animation: false,
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: rows.filter((row) => row.total > 0).map((row) => ({ name: row.label || row.key, value: row.total })), label: { formatter: "{b}: {c}" } }],
      },
      true,
    );
  }

  function rankingTable(rows) {
    const body = document.querySelector("#ranking-table tbody");
    body.replaceChildren(
      ...rows.map((row) =>
        el("tr", {}, [
          el("td", { class: "number" }, row.rank),
          el("td", {}, row.name || row.code),
          el("td", { class: "number" }, row.total ?? "—"),
          el("td", { class: "number" }, row.due ?? "—"),
          el("td", { class: "number" }, row.resolved_on_time ?? "—"),
          el("td", { class: "number" }, percent(row.completion_rate)),
          el("td", { class: "number" }, row.overdue ?? "—"),
        ]),
      ),
    );
    const top = rows.slice(0, 15);
    chart("chart-ranking").setOption(
      {
        animation: false,
        tooltip: { trigger: "axis", valueFormatter: (value) => `${value}%` },
        grid: { left: 130, right: 30, top: 10, bottom: 30 },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", inverse: true, data: top.map((row) => row.name || row.code) },
        series: [{ type: "bar", name: _("Completion rate"), data: top.map((row) => (row.completion_rate === null ? 0 : +(row.completion_rate * 100).toFixed(1))), itemStyle: { color: "#2b8a3e" } }],
      },
      true,
    );
  }

  function overdueTable(page) {
    const items = page.results || [];
    document.getElementById("overdue-count").textContent = page.count ? `(${page.count})` : "";
    const body = document.querySelector("#overdue-table tbody");
    if (!items.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "muted" }, _("No overdue incident."))));
      return;
    }
    body.replaceChildren(
      ...items.map((item) =>
        el("tr", {}, [
          el("td", {}, el("a", { href: `/#incident=${item.id}` }, item.title || `#${item.id}`)),
          el("td", {}, config.categories[item.category] || item.category),
          el("td", {}, config.statuses[item.status] || item.status),
          el("td", {}, C.formatDateTime(item.deadline)),
          el("td", {}, [item.area_name || item.area_code || "—", item.grid_name ? ` · ${item.grid_name}` : ""]),
        ]),
      ),
    );
  }

  let request = 0;

  async function load() {
    const mine = ++request;
    const area = config.areas.find((a) => a.code === C.state.area);
    const { since, until } = C.timeWindow();
    document.getElementById("dashboard-scope").textContent = [
      area ? area.name : _("All areas"),
      since ? `${C.formatDate(since)} — ${C.formatDate(new Date(until.getTime() - 86400000))}` : _("All time"),
    ].join(" · ");
    C.showStatus(statusBox, "loading", _("Loading statistics…"));
    const level = document.getElementById("ranking-level").value;
    try {
      const [byCategory, byStatus, byArea, ranking, overdue] = await Promise.all([
        api(`/api/v1/supervision/summary/?${params({ group_by: "category" })}`),
        api(`/api/v1/supervision/summary/?${params({ group_by: "status" })}`),
        api(`/api/v1/supervision/summary/?${params({ group_by: "area", level: "township" })}`),
        api(`/api/v1/supervision/ranking/?${params({ level, metric: "completion_rate" })}`),
        api(`/api/v1/supervision/overdue/?${params({})}`),
      ]);
      if (mine !== request) return;
      barChart("chart-category", byCategory.results, true);
      pieChart("chart-status", byStatus.results);
      barChart("chart-area", byArea.results, false);
      rankingTable(ranking.results);
      overdueTable(overdue);
      C.showStatus(statusBox, "", "");
    } catch (error) {
      if (mine !== request) return;
      const message =
        error.status === 404
          ? _("The supervision statistics service is not installed on this server yet (/api/v1/supervision/ answered 404), so the charts cannot be drawn.")
          : `${_("The statistics could not be loaded:")} ${error.message}`;
      C.showStatus(statusBox, "error", message);
      statusBox.dataset.missing = error.status === 404 ? "true" : "false";
    }
  }

  document.getElementById("ranking-level").addEventListener("change", load);
  document.getElementById("print").addEventListener("click", () => window.print());
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  window.addEventListener("beforeprint", () => Object.values(charts).forEach((c) => c.resize()));
  C.onChange((changed) => {
    if (C.filtersChanged(changed)) load();
  });
  load();
})();
