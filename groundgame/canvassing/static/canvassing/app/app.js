/**
 * The canvasser app: walk lists on this phone, the doors in walking order, a door, a conversation.
 *
 * Loaded by templates/canvassing/app/shell.html (one page; the route is the URL fragment):
 *   #/                          the walk lists on this phone
 *   #/l/<list>                  its doors, street by street, with what was recorded at each
 *   #/l/<list>/d/<n>            door n: "Not in" in one tap, or who answered
 *   #/l/<list>/d/<n>/e/<id>     a conversation with an elector; .../new for someone not on the list
 *   #list=<id>&token=<token>    where the claim page sends the phone: the token is kept, the list downloaded
 *
 * Taps from the door list: "not in" is 2 (the door, "Not in"); a full conversation is 6 (the door, the person,
 * how they will vote, how sure, an issue, Save). Every record goes to the IndexedDB outbox first (db.js) and is
 * synced by sync.js: now when online, when the app comes back to the foreground, every 60 s, and on reconnecting.
 * The bar at the top says how many records are not yet synced; closing the page with some waiting asks first.
 */

import * as db from "canvassing/db.js";
import { call, changes, isGone, syncAll } from "canvassing/sync.js";

const config = JSON.parse(document.getElementById("cv-config").textContent);
const view = document.getElementById("cv-view");
const titleEl = document.getElementById("cv-title");
const backEl = document.getElementById("cv-back");
const syncBox = document.getElementById("cv-sync");
const syncText = document.getElementById("cv-sync-text");
const syncButton = document.getElementById("cv-sync-now");

const SYNC_EVERY = 60 * 1000;
const REFRESH_AFTER = 5 * 60 * 1000;
const OUTCOME_SHORT = {
  not_in: "Not in",
  spoke: "Spoke",
  refused: "Refused",
  moved: "Moved away",
  dnc: "Do not contact",
  come_back: "Come back",
};
const DOOR_OUTCOMES = [
  ["not_in", "Not in"],
  ["come_back", "Come back later"],
  ["refused", "Refused at the door"],
];

const state = { pending: 0, rejected: 0, syncing: false, failures: 0, timer: null, notice: null, focusDoor: null };

// --- small helpers ---------------------------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

function day(iso) {
  if (!iso) return "";
  const date = new Date(`${iso}T12:00:00`);
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short" }).format(date);
}

function time(iso) {
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

function labels(items) {
  return Object.fromEntries((items || []).map((item) => [item.code, item.label]));
}

function lastText(last, survey) {
  if (!last) return "";
  const parts = [OUTCOME_SHORT[last.outcome] || last.outcome];
  if (last.intention) parts.push(labels(survey && survey.intentions)[last.intention] || last.intention);
  if (last.certainty) parts.push(`sure ${last.certainty}/5`);
  parts.push(day(last.on));
  return parts.join(" · ");
}

function chip(outcome, extra) {
  return h("span", { class: `cv-chip cv-chip--${outcome}` }, OUTCOME_SHORT[outcome] || outcome, extra || "");
}

function setScreen(title, back) {
  titleEl.textContent = title;
  backEl.hidden = !back;
  if (back) backEl.setAttribute("href", back);
  document.title = `${title} · Canvass`;
}

function show(...nodes) {
  view.replaceChildren(...nodes.filter((node) => node !== null && node !== undefined && node !== false));
  const heading = view.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

function noticeNode() {
  if (!state.notice) return null;
  const node = h("div", { class: `notice${state.notice.error ? " notice--error" : ""}`, role: "alert" }, state.notice.text);
  state.notice = null;
  return node;
}

// --- the sync bar ----------------------------------------------------------------------------------------------

async function refreshCounts() {
  state.pending = await db.outboxCount();
  let rejected = 0;
  for (const list of await db.allLists()) rejected += (await db.rejected(list.id)).length;
  state.rejected = rejected;
  renderBar();
}

function renderBar() {
  const online = navigator.onLine;
  const pending = state.pending;
  syncBox.dataset.pending = String(pending);
  syncBox.className = `cv-sync ${pending ? "cv-sync--pending" : "cv-sync--done"}${online ? "" : " cv-sync--offline"}`;
  const details = [];
  if (pending && !online) details.push("Offline: kept safe on this phone");
  else if (pending && state.syncing) details.push("Syncing…");
  else if (!online) details.push("Offline");
  if (state.rejected) details.push(`${state.rejected} refused by the server`);
  syncText.replaceChildren(h("strong", { class: "cv-sync__count" }, pending ? `${pending} not yet synced` : "All synced"));
  if (details.length) syncText.append(h("span", { class: "cv-sync__detail" }, details.join(" · ")));
  syncButton.hidden = !pending || !online || state.syncing;
}

function syncSoon(delay = 0) {
  clearTimeout(state.timer);
  state.timer = setTimeout(runSync, delay);
}

async function runSync() {
  clearTimeout(state.timer);
  await refreshCounts();
  if (!state.pending || !navigator.onLine) return;
  state.syncing = true;
  renderBar();
  try {
    await syncAll(config.api);
    state.failures = 0;
  } catch (error) {
    state.failures += 1;
    syncSoon(Math.min(SYNC_EVERY, 5000 * 2 ** (state.failures - 1)));
  } finally {
    state.syncing = false;
    await refreshCounts();
  }
}

changes.addEventListener("change", () => refreshCounts());
changes.addEventListener("gone", async (event) => {
  const { lost } = event.detail;
  state.notice = {
    error: true,
    text:
      "A walk list was removed from this phone: it was handed back, its access ended, or it was opened on " +
      `another phone.${lost ? ` ${lost} records could not be sent.` : ""}`,
  };
  await refreshCounts();
  route();
});

// --- claiming and downloading ----------------------------------------------------------------------------------

async function takeClaim() {
  const params = new URLSearchParams(location.hash.slice(1));
  const listId = params.get("list");
  const token = params.get("token");
  if (!listId || !token) return null;
  history.replaceState(null, "", `${location.pathname}#/l/${listId}`);
  // A new token for a list already here (opened again): its waiting records go with the new token.
  await db.saveList(listId, { token, claimedAt: Date.now() });
  await download(listId);
  return listId;
}

/** Fetch the list's doors. True when fresh data was stored. */
async function download(listId) {
  const list = await db.getList(listId);
  if (!list || !navigator.onLine) return false;
  let response;
  try {
    response = await call(`${config.api}${listId}`, list.token);
  } catch (error) {
    return false;
  }
  if (isGone(response)) {
    if ((await db.getList(listId))?.token !== list.token) return false; // opened again meanwhile: a new key
    if (await db.outboxCount(listId)) {
      await db.forgetDoors(listId); // the records still go, if the server takes them (sync decides)
      syncSoon();
    } else {
      await db.wipeList(listId);
    }
    state.notice = {
      error: true,
      text: "This walk list was removed from this phone: it was handed back, its access ended, or it was opened on another phone.",
    };
    return false;
  }
  if (!response.ok) return false;
  await db.saveList(listId, { data: await response.json(), fetchedAt: Date.now() });
  return true;
}

function expired(list) {
  const until = list.data && list.data.walk_list.expires_at;
  return until && new Date(until).getTime() < Date.now();
}

// --- screens ---------------------------------------------------------------------------------------------------

async function homeScreen() {
  setScreen("Canvass", null);
  const lists = (await db.allLists()).filter((list) => list.data);
  const items = [];
  for (const list of lists) {
    const done = new Set((await db.visits(list.id)).map((v) => v.address));
    items.push(
      h(
        "li",
        {},
        h(
          "a",
          { class: "cv-card", href: `#/l/${list.id}` },
          h("span", { class: "cv-card__name" }, list.data.walk_list.name),
          h("span", { class: "cv-card__meta" }, `${done.size} of ${list.data.doors.length} doors · ${list.data.walk_list.campaign}`),
          list.data.walk_list.expires_at
            ? h("span", { class: "cv-card__meta" }, `Open until ${time(list.data.walk_list.expires_at)}`)
            : null,
        ),
      ),
    );
  }
  show(
    noticeNode(),
    h("h1", {}, "Walk lists on this phone"),
    items.length
      ? h("ul", { class: "cv-cards" }, items)
      : h(
          "p",
          { class: "cv-empty" },
          "Open a walk list from the link or QR code your organiser gives you (signed in to Groundgame). It then works here without signal.",
        ),
  );
}

function latestVisits(visits) {
  const byAddress = new Map();
  const byElector = new Map();
  for (const visit of visits.sort((a, b) => a.at - b.at)) {
    byAddress.set(visit.address, visit);
    if (visit.elector) byElector.set(visit.elector, visit);
  }
  return { byAddress, byElector };
}

function serverLast(door) {
  let best = door.last || null;
  for (const elector of door.electors) {
    if (elector.last && (!best || elector.last.on > best.on)) best = elector.last;
  }
  return best;
}

async function loadList(listId) {
  let list = await db.getList(listId);
  if (list && list.data && expired(list)) {
    await db.forgetDoors(listId);
    state.notice = { error: true, text: "Access to this walk list has ended, so its doors were removed from this phone." };
    list = await db.getList(listId);
  }
  if (list && !list.data && (await download(listId))) list = await db.getList(listId);
  return list;
}

/** Download again each list not fetched for `maxAge` ms: fresh previous contacts, and the server's word on whether
 * the list is still ours (handed back, revoked or replaced: wiped). A list whose doors were forgotten and that has
 * nothing left to sync is wiped. Re-renders only when a list went. */
async function refreshAll(maxAge, skip = null) {
  if (!navigator.onLine) return;
  let removed = false;
  for (const list of await db.allLists()) {
    if (list.id === skip) continue;
    if (!list.data && !(await db.outboxCount(list.id))) {
      await db.wipeList(list.id);
      removed = true;
    } else if (list.data && Date.now() - (list.fetchedAt || 0) > maxAge) {
      await download(list.id);
      removed = removed || !(await db.getList(list.id)) || !(await db.getList(list.id)).data;
    }
  }
  if (removed) {
    await refreshCounts();
    route();
  }
}

async function doorsScreen(listId) {
  const list = await loadList(listId);
  if (!list) {
    history.replaceState(null, "", `${location.pathname}#/`);
    return homeScreen();
  }
  if (!list.data) {
    setScreen("Canvass", "#/");
    show(
      noticeNode(),
      h("h1", {}, "Walk list not on this phone"),
      h("p", {}, "Open it again from its link or QR code when you have signal."),
    );
    return;
  }
  const data = list.data;
  const { byAddress } = latestVisits(await db.visits(listId));
  setScreen(data.walk_list.name, "#/");
  let next = state.focusDoor;
  if (next === null || next >= data.doors.length || byAddress.has(data.doors[next].id)) {
    next = data.doors.findIndex((door) => !byAddress.has(door.id));
  }
  const rows = [];
  let street = null;
  data.doors.forEach((door, index) => {
    if (door.street !== street) {
      street = door.street;
      rows.push(h("li", { class: "cv-street" }, h("h2", {}, street || "Other doors")));
    }
    const visit = byAddress.get(door.id);
    const last = serverLast(door);
    const names = door.electors.map((e) => e.name).join(", ");
    rows.push(
      h(
        "li",
        {},
        h(
          "a",
          {
            class: `cv-door${visit ? " cv-door--done" : ""}${index === next ? " cv-door--next" : ""}`,
            href: `#/l/${listId}/d/${index}`,
            "data-door": index,
          },
          h("span", { class: "cv-door__house" }, door.house),
          h(
            "span",
            { class: "cv-door__who" },
            h("span", { class: "cv-door__names" }, names || "No one on the register"),
            !visit && last ? h("span", { class: "cv-door__last" }, `Last: ${lastText(last, data.survey)}`) : null,
          ),
          visit ? chip(visit.outcome) : index === next ? h("span", { class: "cv-chip cv-chip--next" }, "Next") : null,
        ),
      ),
    );
  });
  const knocked = data.doors.filter((door) => byAddress.has(door.id)).length;
  const refused = await db.rejected(listId);
  show(
    noticeNode(),
    h("h1", { class: "visually-hidden" }, data.walk_list.name),
    h("p", { class: "cv-progress" }, h("strong", {}, `${knocked} of ${data.doors.length}`), " doors knocked"),
    refused.length
      ? h(
          "div",
          { class: "notice notice--error" },
          h("p", {}, `${refused.length} records were refused by the server:`),
          h("ul", {}, refused.map((r) => h("li", {}, r.error))),
        )
      : null,
    data.survey ? null : h("div", { class: "notice notice--error" }, "This campaign has no survey yet: ask an organiser."),
    h("ol", { class: "cv-doors" }, rows),
    h(
      "div",
      { class: "cv-footer" },
      h("button", { type: "button", class: "cv-btn cv-btn--secondary", onclick: () => handBack(listId) }, "Hand back this list"),
      data.walk_list.expires_at ? h("p", { class: "cv-small" }, `Open on this phone until ${time(data.walk_list.expires_at)}.`) : null,
    ),
  );
  const target = view.querySelector(`[data-door="${next}"]`);
  if (target) target.scrollIntoView({ block: "center" });
  state.focusDoor = null;
}

async function save(listId, doorIndex, fields) {
  const list = await db.getList(listId);
  const door = list.data.doors[doorIndex];
  const record = {
    id: crypto.randomUUID(),
    address: door.id,
    elector: fields.elector || null,
    survey: list.data.survey.version,
    recorded_at: new Date().toISOString(),
    outcome: fields.outcome,
    intention: fields.intention || "",
    certainty: fields.certainty || null,
    issues: fields.issues || [],
    follow_ups: fields.follow_ups || [],
    notes: fields.notes || "",
    unlisted_name: fields.unlisted_name || "",
  };
  await db.addRecord(listId, record, {
    address: door.id,
    elector: record.elector,
    outcome: record.outcome,
    intention: record.intention,
    certainty: record.certainty,
  });
  state.focusDoor = doorIndex + 1;
  await refreshCounts();
  syncSoon();
  location.hash = `#/l/${listId}`;
}

async function doorScreen(listId, doorIndex) {
  const list = await loadList(listId);
  const door = list && list.data && list.data.doors[doorIndex];
  if (!door) return doorsScreen(listId);
  const data = list.data;
  const { byElector } = latestVisits(await db.visits(listId));
  setScreen(door.street || data.walk_list.name, `#/l/${listId}`);
  let busy = false;
  const quick = (outcome) => async () => {
    if (busy) return;
    busy = true;
    await save(listId, doorIndex, { outcome });
  };
  const canRecord = Boolean(data.survey);
  show(
    noticeNode(),
    h(
      "div",
      { class: "cv-door-head" },
      h("h1", {}, door.house, h("span", { class: "cv-door-head__street" }, ` ${door.street}`)),
      h("p", { class: "cv-small" }, `${door.postcode} · door ${doorIndex + 1} of ${data.doors.length}`),
      door.last ? h("p", { class: "cv-small" }, `At this door last time: ${lastText(door.last, data.survey)}`) : null,
    ),
    canRecord
      ? h(
          "div",
          { class: "cv-quick" },
          DOOR_OUTCOMES.map(([code, label]) =>
            h("button", { type: "button", class: `cv-btn cv-quick__${code}`, onclick: quick(code) }, label),
          ),
        )
      : h("div", { class: "notice notice--error" }, "This campaign has no survey yet: ask an organiser."),
    h("h2", { class: "cv-h2" }, "Who answered?"),
    h(
      "ul",
      { class: "cv-people" },
      door.electors.map((elector) => {
        const visit = byElector.get(elector.id);
        return h(
          "li",
          {},
          h(
            "a",
            { class: "cv-person", href: `#/l/${listId}/d/${doorIndex}/e/${elector.id}` },
            h("span", { class: "cv-person__name" }, elector.name),
            elector.postal ? h("span", { class: "cv-badge" }, "Postal voter") : null,
            elector.last ? h("span", { class: "cv-person__last" }, `Last: ${lastText(elector.last, data.survey)}`) : null,
            visit ? chip(visit.outcome, " today") : null,
          ),
        );
      }),
      h(
        "li",
        {},
        h("a", { class: "cv-person cv-person--new", href: `#/l/${listId}/d/${doorIndex}/new` }, "+ Someone not on the list"),
      ),
    ),
    h(
      "nav",
      { class: "cv-pager", "aria-label": "Doors" },
      doorIndex > 0 ? h("a", { class: "cv-btn cv-btn--secondary", href: `#/l/${listId}/d/${doorIndex - 1}` }, "← Previous") : h("span"),
      doorIndex + 1 < data.doors.length
        ? h("a", { class: "cv-btn cv-btn--secondary", href: `#/l/${listId}/d/${doorIndex + 1}` }, "Next door →")
        : h("span"),
    ),
  );
}

function choices(name, items, type, legend, extraClass) {
  return h(
    "fieldset",
    { class: `cv-field ${extraClass || ""}`, "data-field": name },
    h("legend", {}, legend),
    h(
      "div",
      { class: `cv-choices cv-choices--${name}` },
      items.map(([value, label, checked]) =>
        h(
          "label",
          { class: "cv-choice" },
          h("input", { type, name, value, checked: checked || false }),
          h("span", {}, label),
        ),
      ),
    ),
  );
}

async function conversationScreen(listId, doorIndex, electorId) {
  const list = await loadList(listId);
  const door = list && list.data && list.data.doors[doorIndex];
  const elector = door && electorId ? door.electors.find((e) => e.id === electorId) : null;
  if (!door || !list.data.survey || (electorId && !elector)) return doorScreen(listId, doorIndex);
  const survey = list.data.survey;
  setScreen(door.house + (door.street ? ` ${door.street}` : ""), `#/l/${listId}/d/${doorIndex}`);
  const outcomes = survey.outcomes.filter((o) => o.code !== "not_in");
  const form = h(
    "form",
    { class: "cv-form", novalidate: true },
    elector
      ? h("h1", { class: "cv-name" }, elector.name)
      : h(
          "div",
          { class: "cv-field" },
          h("h1", { class: "cv-name" }, "Someone not on the list"),
          h("label", { for: "cv-unlisted" }, "Their name"),
          h("input", { id: "cv-unlisted", name: "unlisted_name", type: "text", autocomplete: "off", maxlength: "160" }),
        ),
    elector && elector.last ? h("p", { class: "cv-small" }, `Last time: ${lastText(elector.last, survey)}`) : null,
    choices(
      "outcome",
      outcomes.map((o) => [o.code, o.code === "come_back" ? "Come back" : o.label, o.code === "spoke"]),
      "radio",
      "What happened",
      "cv-field--outcome",
    ),
    choices("intention", survey.intentions.map((i) => [i.code, i.label]), "radio", "How will they vote?", "cv-spoke"),
    choices("certainty", [1, 2, 3, 4, 5].map((n) => [String(n), String(n)]), "radio", "How sure? (1 = not at all, 5 = certain)", "cv-spoke"),
    choices("issues", survey.issues.map((i) => [i.code, i.label]), "checkbox", "Issues they raised"),
    choices("follow_ups", survey.follow_ups.map((f) => [f.code, f.label]), "checkbox", "Follow up"),
    h(
      "div",
      { class: "cv-field" },
      h("label", { for: "cv-notes" }, "What they told us (optional)"),
      h("textarea", { id: "cv-notes", name: "notes", rows: "3", maxlength: "2000" }),
    ),
    h("div", { class: "cv-save" }, h("button", { type: "submit", class: "cv-btn cv-btn--primary" }, "Save")),
  );
  const spokeOnly = () => {
    const spoke = form.elements.outcome.value === "spoke";
    for (const field of form.querySelectorAll(".cv-spoke")) field.hidden = !spoke;
  };
  form.addEventListener("change", spokeOnly);
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const values = new FormData(form);
    const outcome = values.get("outcome") || "spoke";
    const spoke = outcome === "spoke";
    await save(listId, doorIndex, {
      elector: elector ? elector.id : null,
      outcome,
      intention: spoke ? values.get("intention") || "" : "",
      certainty: spoke && values.get("certainty") ? Number(values.get("certainty")) : null,
      issues: values.getAll("issues"),
      follow_ups: values.getAll("follow_ups"),
      notes: (values.get("notes") || "").trim(),
      unlisted_name: elector ? "" : (values.get("unlisted_name") || "").trim(),
    });
  });
  show(noticeNode(), form);
}

async function handBack(listId) {
  if (!window.confirm("Hand back this walk list? It will be removed from this phone.")) return;
  await runSync();
  const waiting = await db.outboxCount(listId);
  if (waiting) {
    window.alert(`${waiting} not yet synced. Connect to the internet and sync before handing the list back.`);
    return;
  }
  const list = await db.getList(listId);
  let response;
  try {
    response = await call(`${config.api}${listId}/release`, list.token, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ done: false }),
    });
  } catch (error) {
    window.alert("Could not reach the server: try again when you have signal.");
    return;
  }
  if (!response.ok && !isGone(response)) {
    window.alert(`The server answered ${response.status}: try again later.`);
    return;
  }
  await db.wipeList(listId);
  state.notice = { text: "Handed back. Thank you!" };
  await refreshCounts();
  location.hash = "#/";
}

// --- routing and start -----------------------------------------------------------------------------------------

let routing = Promise.resolve();

function route() {
  routing = routing.then(async () => {
    const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
    if (parts[0] !== "l" || !parts[1]) return homeScreen();
    const [, listId, d, door, kind, electorId] = parts;
    if (d !== "d") return doorsScreen(listId);
    const index = Number(door);
    if (kind === "e") return conversationScreen(listId, index, electorId);
    if (kind === "new") return conversationScreen(listId, index, null);
    return doorScreen(listId, index);
  });
  return routing.catch((error) => {
    show(h("div", { class: "notice notice--error", role: "alert" }, `Something went wrong: ${error.message}`));
  });
}

async function start() {
  db.keepOffline(config.serviceWorker, config.scope);
  window.addEventListener("hashchange", route);
  window.addEventListener("online", () => {
    renderBar();
    syncSoon();
    refreshAll(60 * 1000);
  });
  window.addEventListener("offline", renderBar);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    syncSoon();
    refreshAll(60 * 1000);
  });
  window.addEventListener("beforeunload", (event) => {
    if (state.pending > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  syncButton.addEventListener("click", () => syncSoon());
  setInterval(() => {
    syncSoon();
    refreshAll(REFRESH_AFTER);
  }, SYNC_EVERY);
  const claimed = await takeClaim();
  await refreshCounts();
  await route();
  syncSoon();
  refreshAll(0, claimed); // a fresh start asks the server whether each list is still ours
}

start();
