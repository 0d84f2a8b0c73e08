/* The incident list beside the map and one incident's detail: timeline, photos, and the steps
   this user's role allows, sent through the same REST API as every other client. */
(function () {
  "use strict";
  const C = window.Console;
  const { config, gettext: _, el, api } = C;
  const PAGE_SIZE = 20;
  const listView = document.getElementById("incident-list-view");
  const detailView = document.getElementById("incident-detail");
  const detailBody = document.getElementById("detail-body");
  const listBox = document.getElementById("incident-list");
  const listStatus = document.getElementById("list-status");
  const prevButton = document.getElementById("page-prev");
  const nextButton = document.getElementById("page-next");

  const ACTION_LABELS = {
    accept: _("Accept"),
    reject: _("Reject"),
    dispatch: _("Dispatch"),
    start: _("Start work"),
    resolve: _("Report the result"),
    evaluate: _("Evaluate"),
    close: _("Close"),
    escalate: _("Escalate"),
    deescalate: _("De-escalate"),
  };
  const EVENT_LABELS = {
    accept: _("Accepted"),
    reject: _("Rejected"),
    dispatch: _("Dispatched"),
    start: _("Work started"),
    resolve: _("Resolved"),
    evaluate: _("Evaluated"),
    close: _("Closed"),
    escalate: _("Escalated"),
    deescalate: _("De-escalated"),
  };
  const SUPERVISOR_ACTIONS = ["accept", "reject", "dispatch", "evaluate", "close", "escalate", "deescalate"];
  const HANDLER_ACTIONS = ["start", "resolve"];

  // ---- the list -------------------------------------------------------------------------------
  let cursors = [null]; // the cursor of each page seen; the last is the page shown
  let nextCursor = null;
  let listRequest = 0;

  async function loadList() {
    const request = ++listRequest;
    const params = C.filterParams();
    params.set("limit", PAGE_SIZE);
    const cursor = cursors[cursors.length - 1];
    if (cursor) params.set("cursor", cursor);
    C.showStatus(listStatus, "loading", _("Loading incidents…"));
    try {
      const page = await api(`/api/v1/incidents/?${params}`);
      if (request !== listRequest) return;
      const next = (page.links || []).find((link) => link.rel === "next");
      nextCursor = next ? new URL(next.href).searchParams.get("cursor") : null;
      renderList(page.features);
      C.showStatus(listStatus, "", page.features.length ? "" : _("No incident matches the filters."));
      if (!page.features.length) listStatus.className = "notice notice-info";
    } catch (error) {
      if (request !== listRequest) return;
      C.showStatus(listStatus, "error", `${_("The incidents could not be loaded:")} ${error.message}`);
    }
  }

  function renderList(features) {
    listBox.replaceChildren(
      ...features.map((feature) => {
        const p = feature.properties;
        const button = el(
          "button",
          { type: "button", class: "incident-item", "data-id": feature.id, onclick: () => C.setState({ incident: String(feature.id) }) },
          [
            el("span", { class: `dot dot-${p.category}`, "aria-hidden": "true" }),
            el("span", { class: "item-title" }, p.title),
            el("span", { class: `badge status-${p.status}` }, config.statuses[p.status] || p.status),
            el("span", { class: "item-meta" }, `${config.categories[p.category] || p.category} · ${C.formatDateTime(p.reported_at)}`),
          ],
        );
        return el("li", {}, button);
      }),
    );
    document.getElementById("page-number").textContent = C.interpolate(_("Page %s"), [cursors.length]);
    prevButton.disabled = cursors.length <= 1;
    nextButton.disabled = !nextCursor;
  }

  prevButton.addEventListener("click", () => {
    cursors.pop();
    loadList();
  });
  nextButton.addEventListener("click", () => {
    cursors.push(nextCursor);
    loadList();
  });

  // ---- the detail -----------------------------------------------------------------------------
  let current = null; // the incident Feature shown
  let departments = null;

  async function showDetail(id) {
    if (!id) {
      detailView.hidden = true;
      listView.hidden = false;
      current = null;
      return;
    }
    listView.hidden = true;
    detailView.hidden = false;
    const status = el("div", { role: "status" });
    detailBody.replaceChildren(status);
    C.showStatus(status, "loading", _("Loading the incident…"));
    try {
      const [incident, events, attachments] = await Promise.all([
        api(`/api/v1/incidents/${id}/`),
        api(`/api/v1/incidents/${id}/events/`),
        api(`/api/v1/incidents/${id}/attachments/`),
      ]);
      if (C.state.incident !== String(id)) return;
      const opened = !current || current.id !== incident.id;
      current = incident;
      renderDetail(incident, events, attachments);
      if (opened && window.ConsoleMap && incident.geometry) window.ConsoleMap.reveal(incident.geometry.coordinates);
    } catch (error) {
      C.showStatus(status, "error", `${_("The incident could not be loaded:")} ${error.message}`);
    }
  }

  function row(label, value) {
    return [el("dt", {}, label), el("dd", {}, value === null || value === undefined || value === "" ? "—" : value)];
  }

  function renderDetail(incident, events, attachments) {
    const p = incident.properties;
    const departmentName = (id) => (departments && departments[id] && departments[id].name) || (id ? `#${id}` : "—");
    const header = el("header", { class: "detail-head" }, [
      el("h2", { id: "detail-title", tabindex: "-1" }, p.title),
      el("span", { class: `badge status-${p.status}`, id: "detail-status", "data-status": p.status }, config.statuses[p.status] || p.status),
    ]);
    const facts = el("dl", { class: "facts" }, [
      ...row(_("Category"), config.categories[p.category] || p.category),
      ...row(_("Reported"), C.formatDateTime(p.reported_at)),
      ...row(_("Grid"), p.grid),
      ...row(_("Level"), config.levels[String(p.level)]),
      ...row(_("Priority"), config.priorities[p.priority] || p.priority),
      ...row(_("Deadline"), p.deadline ? C.formatDateTime(p.deadline) : ""),
      ...row(_("Lead department"), p.lead_department ? departmentName(p.lead_department) : ""),
      ...row(_("Description"), p.description),
      ...row(_("Feedback"), p.feedback),
      ...row(_("Rating"), p.rating),
      ...row(_("Review"), p.review),
    ]);
    const locate = el("button", { type: "button", class: "link", onclick: () => window.ConsoleMap && window.ConsoleMap.flyTo(incident.geometry.coordinates) }, _("Show on the map"));
    const actionStatus = el("div", { id: "action-status", role: "status", "aria-live": "polite" });
    const actions = el("div", { class: "actions", id: "actions" }, allowedActions(p).map((action) => el("button", { type: "button", "data-action": action, onclick: () => openForm(action, actionStatus) }, ACTION_LABELS[action])));
    const formSlot = el("div", { id: "action-form" });
    const timeline = el(
      "ol",
      { class: "timeline", id: "timeline" },
      events.map((event) =>
        el("li", {}, [
          el("time", { datetime: event.at }, C.formatDateTime(event.at)),
          el("strong", {}, ` ${EVENT_LABELS[event.action] || event.action}`),
          ` · ${event.actor || _("system")}`,
          event.to_state ? ` → ${config.statuses[event.to_state] || event.to_state}` : "",
          event.note ? el("div", { class: "note" }, event.note) : null,
        ]),
      ),
    );
    const photos = el(
      "ul",
      { class: "photos", id: "photos" },
      attachments.map((attachment) =>
        el("li", {}, [
          attachment.content_type.startsWith("image/")
            ? el("a", { href: attachment.file, target: "_blank", rel: "noopener" }, el("img", { src: attachment.file, alt: config.attachmentKinds[attachment.kind] || attachment.kind, loading: "lazy" }))
            : el("a", { href: attachment.file, target: "_blank", rel: "noopener" }, _("Document")),
          el("span", { class: "muted" }, `${config.attachmentKinds[attachment.kind] || attachment.kind} · ${attachment.uploaded_by || ""}`),
          attachment.far_from_incident ? el("span", { class: "badge warn" }, _("Taken far from the incident")) : null,
        ]),
      ),
    );
    detailBody.replaceChildren(
      header,
      locate,
      facts,
      el("h3", {}, _("Actions")),
      actions.childElementCount ? actions : el("p", { class: "muted" }, _("Your role allows no step on this incident now.")),
      actionStatus,
      formSlot,
      el("h3", {}, _("Photos")),
      attachments.length ? photos : el("p", { class: "muted" }, _("No photo yet.")),
      uploadForm(actionStatus),
      el("h3", {}, _("Timeline")),
      events.length ? timeline : el("p", { class: "muted" }, _("Nothing has happened yet.")),
    );
  }

  function allowedActions(p) {
    const user = config.user;
    const handler = user.supervisor || (p.lead_department && user.departments.includes(p.lead_department));
    return Object.keys(ACTION_LABELS).filter((action) => {
      if (!(config.allowedFrom[action] || []).includes(p.status)) return false;
      if (SUPERVISOR_ACTIONS.includes(action)) return user.supervisor;
      if (HANDLER_ACTIONS.includes(action)) return handler;
      return false;
    });
  }

  async function departmentsByID() {
    if (!departments) {
      const list = {};
      let url = "/api/v1/departments/?limit=1000&ordering=name";
      while (url) {
        const page = await api(url);
        for (const feature of page.features) list[feature.id] = { name: feature.properties.name, area: feature.properties.area };
        const next = (page.links || []).find((link) => link.rel === "next");
        url = next ? next.href : null;
      }
      departments = list;
    }
    return departments;
  }

  /** The departments whose area holds the incident (the server refuses others), routed one first. */
  async function dispatchChoices(incident) {
    const [all, route] = await Promise.all([departmentsByID(), api(`/api/v1/incidents/${incident.id}/route/`)]);
    const area = incident.properties.area || "";
    const covering = Object.entries(all).filter(([, department]) => area.startsWith(C.divisionPrefix(department.area)));
    const routed = ([id]) => Number(id) === route.department;
    covering.sort((a, b) => routed(b) - routed(a));
    return covering.map(([id, department]) => [id, department.name]);
  }

  function field(label, control) {
    return el("label", { class: "field" }, [label, control]);
  }

  function select(name, choices, options = {}) {
    return el(
      "select",
      { name, required: options.required },
      // An array of [value, text] keeps its order; an object's integer-like keys would be sorted.
      [options.blank ? el("option", { value: "" }, options.blank) : null, ...(Array.isArray(choices) ? choices : Object.entries(choices)).map(([value, text]) => el("option", { value }, text))],
    );
  }

  /** The inputs a step takes besides the version; each returns the JSON body's extra fields. */
  async function stepFields(action) {
    switch (action) {
      case "reject":
        return [field(_("Reason"), select("reason", config.rejectionReasons, { required: true })), field(_("Duplicate of incident no."), el("input", { name: "duplicate_of", type: "number", min: 1 })), field(_("Note"), el("textarea", { name: "note", rows: 2 }))];
      case "dispatch":
        return [
          field(_("Lead department"), select("lead_department", await dispatchChoices(current), { required: true })),
          field(_("Priority"), select("priority", config.priorities)),
          field(_("Note"), el("textarea", { name: "note", rows: 2 })),
        ];
      case "resolve":
        return [
          field(_("Feedback on the result"), el("textarea", { name: "feedback", rows: 3, required: true })),
          field(_("Evidence photo"), el("input", { name: "photo", type: "file", accept: "image/jpeg,image/png,image/webp" })),
        ];
      case "evaluate":
        return [
          field(_("Satisfied"), select("satisfied", { true: _("Yes"), false: _("No, send it back") })),
          field(_("Rating"), select("rating", [5, 4, 3, 2, 1].map((n) => [n, "★".repeat(n)]))),
          field(_("Review"), el("textarea", { name: "review", rows: 2 })),
        ];
      case "escalate":
      case "deescalate":
        return [field(_("Reason"), el("textarea", { name: "reason", rows: 2, required: true }))];
      default:
        return [field(_("Note"), el("textarea", { name: "note", rows: 2 }))];
    }
  }

  function stepBody(action, form) {
    const data = new FormData(form);
    const body = { version: current.properties.version };
    for (const [name, value] of data.entries()) {
      if (name === "photo" || value === "") continue;
      if (name === "satisfied") body.satisfied = value === "true";
      else if (["rating", "lead_department", "duplicate_of"].includes(name)) body[name] = Number(value);
      else body[name] = value;
    }
    return body;
  }

  async function openForm(action, statusBox) {
    const slot = document.getElementById("action-form");
    C.showStatus(statusBox, "", "");
    let fields;
    try {
      fields = await stepFields(action);
    } catch (error) {
      C.showStatus(statusBox, "error", error.message);
      return;
    }
    const submit = el("button", { type: "submit", class: "primary" }, ACTION_LABELS[action]);
    const cancel = el("button", { type: "button", class: "link", onclick: () => slot.replaceChildren() }, _("Cancel"));
    const form = el("form", { class: "step-form", "data-step": action }, [el("h4", {}, ACTION_LABELS[action]), ...fields, el("div", { class: "buttons" }, [submit, cancel])]);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      C.showStatus(statusBox, "loading", _("Sending…"));
      const id = current.id;
      try {
        const photo = form.querySelector("input[type=file]");
        if (photo && photo.files.length) await upload(id, photo.files[0], "evidence");
        await api(`/api/v1/incidents/${id}/${action}/`, { method: "POST", body: stepBody(action, form) });
        C.showStatus(statusBox, "", "");
        await afterChange(id, C.interpolate(_("Done: %s."), [ACTION_LABELS[action]]));
      } catch (error) {
        submit.disabled = false;
        C.showStatus(statusBox, "error", error.message);
        if (error.status === 409) await afterChange(id, error.message, "error");
      }
    });
    slot.replaceChildren(form);
    const first = form.querySelector("select, textarea, input");
    if (first) first.focus();
  }

  async function upload(id, file, kind) {
    const data = new FormData();
    data.append("file", file);
    data.append("kind", kind);
    return api(`/api/v1/incidents/${id}/attachments/`, { method: "POST", body: data });
  }

  function uploadForm(statusBox) {
    const input = el("input", { type: "file", name: "file", accept: "image/jpeg,image/png,image/webp,application/pdf", required: true, id: "upload-file" });
    const kind = select("kind", config.attachmentKinds);
    const form = el("form", { class: "upload-form", id: "upload-form" }, [field(_("Add a photo or document"), input), field(_("Kind"), kind), el("button", { type: "submit" }, _("Upload"))]);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      C.showStatus(statusBox, "loading", _("Uploading…"));
      try {
        await upload(current.id, input.files[0], kind.value);
        await afterChange(current.id, _("Uploaded."));
      } catch (error) {
        C.showStatus(statusBox, "error", error.message);
      }
    });
    return form;
  }

  async function afterChange(id, message, kind = "success") {
    await showDetail(id);
    const statusBox = document.getElementById("action-status");
    if (statusBox) C.showStatus(statusBox, kind, message);
    if (window.ConsoleMap) window.ConsoleMap.refreshIncidents();
    loadList();
  }

  document.getElementById("detail-back").addEventListener("click", () => C.setState({ incident: "" }));

  C.onChange((changed) => {
    if (C.filtersChanged(changed)) {
      cursors = [null];
      loadList();
    }
    if (changed.includes("incident")) showDetail(C.state.incident);
  });

  loadList();
  if (C.state.incident) showDetail(C.state.incident);
})();
