/**
 * Sending the outbox (the server's side and the protocol are described in groundgame/canvassing/sync.py).
 *
 * `syncAll(api)` posts each list's outbox in batches of BATCH, oldest first, with the list's token, and settles
 * each answer: acknowledged ids leave the outbox, refused ones are set aside; nothing else is ever removed. No
 * answer, or a 5xx, leaves the outbox as it was (the records go again next time: the server stores each id
 * once). 401 or 410 means the list is gone (handed back, revoked, replaced or expired): everything held for it is
 * wiped. One sync runs at a time; `changes` tells the page when counts moved (with the server's whole answer, which
 * may say more about the records: the telling app's `unknown` numbers).
 *
 *   import { syncAll, changes } from "canvassing/sync.js";
 *   changes.addEventListener("change", render);
 *   await syncAll("/api/canvass/walk-lists/");
 */

import * as db from "canvassing/db.js";

export const BATCH = 50;
export const changes = new EventTarget();

export class SyncError extends Error {}

let running = null;
let again = false;

function announce(type, detail) {
  changes.dispatchEvent(new CustomEvent(type, { detail }));
}

/** Fetch with the list's token. Resolves with the response, or rejects (offline, or no answer in time). */
export async function call(url, token, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeout || 20000);
  try {
    return await fetch(url, {
      ...options,
      cache: "no-store",
      credentials: "omit",
      signal: controller.signal,
      headers: { Authorization: `Bearer ${token}`, ...(options.headers || {}) },
    });
  } finally {
    clearTimeout(timer);
  }
}

export function isGone(response) {
  return response.status === 401 || response.status === 410;
}

async function syncList(api, list) {
  for (;;) {
    const batch = await db.outboxBatch(list.id, BATCH);
    if (!batch.length) return;
    let response;
    try {
      response = await call(`${api}${list.id}/sync`, list.token, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ records: batch.map((entry) => entry.record) }),
      });
    } catch (error) {
      throw new SyncError("no connection");
    }
    if (isGone(response)) {
      const now = await db.getList(list.id);
      if (now && now.token !== list.token) throw new SyncError("the list was opened again: retry with its new key");
      const lost = await db.outboxCount(list.id);
      await db.wipeList(list.id);
      announce("gone", { list: list.id, status: response.status, lost });
      return;
    }
    if (!response.ok) throw new SyncError(`the server answered ${response.status}`);
    const answer = await response.json();
    const sent = new Set(batch.map((entry) => entry.id));
    const acknowledged = (answer.acknowledged || []).filter((id) => sent.has(id));
    const errors = (answer.errors || []).filter((e) => e && sent.has(e.id));
    await db.settle(list.id, acknowledged, errors);
    announce("change", { list: list.id, acknowledged: acknowledged.length, rejected: errors.length, answer });
    if (!acknowledged.length && !errors.length) throw new SyncError("the server acknowledged nothing");
  }
}

/** Send every list's outbox; resolves when all is sent, rejects with SyncError when something could not be. A call
 * while a sync runs joins it, and makes it go round once more at the end: a record added after the running sync
 * last looked at the outbox is not left waiting for the next trigger. */
export function syncAll(api) {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let failure = null;
    do {
      again = false;
      failure = null;
      for (const list of await db.allLists()) {
        try {
          await syncList(api, list);
        } catch (error) {
          failure = failure || error;
        }
      }
    } while (again && !failure);
    if (failure) throw failure;
  })().finally(() => {
    running = null;
  });
  return running;
}
