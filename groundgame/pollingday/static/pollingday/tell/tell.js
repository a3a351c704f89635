/**
 * The telling app: a teller outside a polling station types each voter's elector number; the committee room
 * crosses the promises off. Works with no signal: the same outbox and sync as the canvasser app (canvassing/db.js,
 * canvassing/sync.js, in its own IndexedDB database "groundgame-telling"; a "list" there is this phone's pass).
 *
 * Loaded by templates/pollingday/app/shell.html (the same page for everyone; user-facing text comes translated in
 * #tl-strings). The station page (pollingday:tell) sends the phone here with #pass=<uuid>&token=<token>: the token
 * is kept and the station downloaded. Then each number is checked here (parseElectorNumber, as the server's
 * canvassing.addresses.parse_elector_number), written to the outbox, shown at once, and sent: now when online, on
 * reconnecting, when the app comes back to the foreground and every 30 s. The server's answer acknowledges it (it
 * leaves the outbox) and lists `unknown` numbers (not on the register), which are flagged on the entry. The last
 * three entries can be undone: an undo is an entry of its own ({kind: "undo", undoes: id}), sent like the rest.
 */

import * as db from "canvassing/db.js";
import { call, changes, isGone, syncAll } from "canvassing/sync.js";

db.useDatabase("groundgame-telling");

const config = JSON.parse(document.getElementById("tl-config").textContent);
const t = JSON.parse(document.getElementById("tl-strings").textContent);
const $ = (id) => document.getElementById(id);
const form = $("tl-form");
const input = $("tl-number");
const districtSelect = $("tl-district");
const message = $("tl-message");
const UNDO_LAST = 3;
const SYNC_EVERY = 30 * 1000;

const state = { pass: null, syncing: false, failed: false };

/** "888", "888/1", "AB1-888", "AB1-888/1" -> {district, number, suffix}; throws Error(message) otherwise. */
export function parseElectorNumber(text) {
  let value = (text || "").trim().toUpperCase();
  if (value.endsWith(".0")) value = value.slice(0, -2);
  const plain = /^(\d{1,7})(?:\s*\/\s*(\d{1,4}))?$/;
  const full = /^([A-Z0-9]{1,10})\s*[-–]\s*(\d{1,7})(?:\s*\/\s*(\d{1,4}))?$/;
  let district = "";
  let number;
  let suffix = null;
  let match = plain.exec(value);
  if (match) {
    number = Number(match[1]);
    if (match[2] !== undefined) suffix = Number(match[2]);
  } else if ((match = full.exec(value))) {
    district = match[1];
    number = Number(match[2]);
    if (match[3] !== undefined) suffix = Number(match[3]);
  } else {
    throw new Error(t.bad_number);
  }
  if (number < 1) throw new Error(t.starts_at_one);
  return { district, number, suffix };
}

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

function say(text, ok) {
  message.textContent = text;
  message.className = ok ? "tl-message tl-message--ok" : "tl-message";
}

function hourOf(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:00`;
}

// --- the pass ------------------------------------------------------------------------------------------------------

async function arrive() {
  const params = new URLSearchParams(location.hash.slice(1));
  const passId = params.get("pass");
  const token = params.get("token");
  if (passId && token) {
    await db.saveList(passId, { token });
    history.replaceState(null, "", `${location.pathname}#pass=${passId}`);
  }
  const lists = await db.allLists();
  const wanted = passId || (lists.length ? lists[lists.length - 1].id : null);
  state.pass = lists.find((l) => l.id === wanted) || null;
  if (state.pass) await refreshStation();
}

/** Download the station (its districts, counts per hour) when there is signal; offline, the last one kept. */
async function refreshStation() {
  try {
    const response = await call(`${config.api}${state.pass.id}`, state.pass.token, { timeout: 10000 });
    if (isGone(response)) {
      await db.wipeList(state.pass.id);
      state.pass = null;
      say(t.gone, false);
      return;
    }
    if (response.ok) {
      const data = await response.json();
      await db.saveList(state.pass.id, { data, fetchedAt: Date.now() });
      state.pass = await db.getList(state.pass.id);
    }
  } catch (error) {
    /* offline: keep what we have */
  }
}

// --- entries -------------------------------------------------------------------------------------------------------

async function add(event) {
  event.preventDefault();
  if (!state.pass || !state.pass.data) return;
  const text = input.value.trim();
  let parsed;
  try {
    parsed = parseElectorNumber(text);
  } catch (error) {
    say(error.message, false);
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  const districts = state.pass.data.districts;
  const district = parsed.district || districtSelect.value || districts[0];
  if (!districts.includes(district)) {
    say(t.other_station.replace("%(district)s", district), false);
    input.setAttribute("aria-invalid", "true");
    return;
  }
  input.removeAttribute("aria-invalid");
  input.value = ""; // at once, before anything is awaited: the teller may already be typing the next number
  input.focus();
  const label = parsed.district ? text.toUpperCase() : `${district}-${text}`;
  const record = { id: crypto.randomUUID(), kind: "tell", text, district, recorded_at: new Date().toISOString() };
  await db.addRecord(state.pass.id, record, { kind: "tell", label, status: "waiting" });
  say(t.saved.replace("%(number)s", label), true);
  await render();
  sync();
}

async function undo(entry) {
  const record = { id: crypto.randomUUID(), kind: "undo", undoes: entry.id, recorded_at: new Date().toISOString() };
  await db.addRecord(state.pass.id, record, { kind: "undo", undoes: entry.id, status: "waiting" });
  say(t.undone.replace("%(number)s", entry.label), true);
  await render();
  sync();
}

// --- the page ------------------------------------------------------------------------------------------------------

async function render() {
  const pass = state.pass;
  $("tl-none").hidden = Boolean(pass && pass.data);
  $("tl-station").hidden = !(pass && pass.data);
  await renderSync();
  if (!pass || !pass.data) return;
  const data = pass.data;
  $("tl-title").textContent = data.station;
  $("tl-rehearsal").hidden = !data.rehearsal;
  if (districtSelect.options.length !== data.districts.length) {
    districtSelect.replaceChildren(...data.districts.map((code) => h("option", { value: code }, code)));
  }
  districtSelect.hidden = data.districts.length < 2;
  const visits = (await db.visits(pass.id)).sort((a, b) => b.at - a.at);
  const undone = new Set(visits.filter((v) => v.kind === "undo").map((v) => v.undoes));
  const tells = visits.filter((v) => v.kind === "tell");
  const undoable = new Set(tells.filter((v) => !undone.has(v.id)).slice(0, UNDO_LAST).map((v) => v.id));
  $("tl-log").replaceChildren(
    ...tells.slice(0, 12).map((entry) => {
      const gone = undone.has(entry.id);
      const status = gone ? t.state_undone : entry.status === "unknown" ? t.state_unknown
        : entry.status === "synced" ? t.state_synced : entry.status === "rejected" ? t.state_rejected : t.state_waiting;
      const classes = `tl-entry${gone ? " tl-entry--undone" : ""}${entry.status === "unknown" ? " tl-entry--unknown" : ""}`;
      return h(
        "li",
        { class: classes, "data-number": entry.label, "data-status": gone ? "undone" : entry.status },
        h("span", {}, h("span", { class: "tl-entry__number" }, entry.label), h("span", { class: "tl-entry__state" }, status)),
        undoable.has(entry.id)
          ? h("button", { type: "button", class: "tl-undo", onclick: () => undo(entry), "aria-label": t.undo_label.replace("%(number)s", entry.label) }, t.undo)
          : null,
      );
    }),
  );
  const mine = {};
  for (const entry of tells) if (!undone.has(entry.id)) mine[hourOf(entry.at)] = (mine[hourOf(entry.at)] || 0) + 1;
  const station = Object.fromEntries(data.per_hour || []);
  const hours = [...new Set([...Object.keys(mine), ...Object.keys(station)])].sort();
  $("tl-hours").replaceChildren(
    ...hours.map((hour) => h("tr", {}, h("th", { scope: "row" }, hour), h("td", { class: "num" }, String(mine[hour] || 0)),
      h("td", { class: "num" }, station[hour] === undefined ? "–" : String(station[hour])))),
  );
}

async function renderSync() {
  const pending = await db.outboxCount(state.pass ? state.pass.id : undefined);
  const online = navigator.onLine;
  const box = $("tl-sync");
  box.className = `cv-sync ${pending ? "cv-sync--pending" : "cv-sync--done"}${online ? "" : " cv-sync--offline"}`;
  box.dataset.pending = String(pending);
  const count = pending ? t.pending.replace("%(count)s", pending) : t.all_synced;
  const detail = !online ? (pending ? t.offline_kept : t.offline) : state.failed && pending ? t.sync_failed : "";
  $("tl-sync-text").replaceChildren(
    h("span", { class: "cv-sync__count", "data-testid": "unsynced" }, count),
    detail ? h("span", { class: "cv-sync__detail" }, detail) : null,
  );
  $("tl-sync-now").hidden = !pending || !online || state.syncing;
}

async function sync() {
  if (!navigator.onLine) return;
  state.syncing = true;
  try {
    await syncAll(config.syncApi);
    state.failed = false;
  } catch (error) {
    state.failed = true;
  } finally {
    state.syncing = false;
  }
  await render();
}

changes.addEventListener("change", async (event) => {
  const { answer } = event.detail;
  const unknown = new Set((answer && answer.unknown) || []);
  const acknowledged = (answer && answer.acknowledged) || [];
  await db.updateVisits(acknowledged.filter((id) => !unknown.has(id)), { status: "synced" });
  await db.updateVisits([...unknown], { status: "unknown" });
  await db.updateVisits(((answer && answer.errors) || []).map((e) => e.id), { status: "rejected" });
  if (unknown.size) say(t.unknown_now, false);
  await render();
});
changes.addEventListener("gone", async (event) => {
  state.pass = null;
  const lost = (event.detail && event.detail.lost) || 0;
  say(lost ? `${t.gone} ${t.lost.replace("%(count)s", lost)}` : t.gone, false);
  await render();
});

async function start() {
  form.addEventListener("submit", add);
  $("tl-sync-now").addEventListener("click", sync);
  db.keepOffline(config.serviceWorker, config.scope);
  window.addEventListener("online", () => { render(); sync(); });
  window.addEventListener("offline", () => render());
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") sync(); });
  window.addEventListener("beforeunload", (event) => {
    if (Number($("tl-sync").dataset.pending || 0) > 0) event.preventDefault();
  });
  setInterval(sync, SYNC_EVERY);
  await arrive();
  await render();
  input.focus();
  sync();
  document.body.dataset.ready = "true";
}

start();
