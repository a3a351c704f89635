/**
 * The canvasser app's storage on the phone (IndexedDB, database "groundgame-canvass"):
 *
 *   lists     one row per walk list held: {id, token, data (the download), fetchedAt}
 *   outbox    records not yet acknowledged by the server: {id, list, record, createdAt}
 *   visits    what was recorded here, for the door list's ticks: {id, list, address, elector, outcome, at, ...}
 *   rejected  records the server refused, kept to show: {id, list, record, error}
 *
 * The telling app (pollingday) uses the same stores in its own database (`useDatabase`): a "list" is a teller's pass,
 * a visit a number taken.
 *
 * A record is written to the outbox (and its visit) in one transaction before anything else happens, and leaves
 * the outbox only when the server acknowledged its id (`settle`), or when the whole list is wiped because the
 * server said the list is gone (`wipeList`, on 401/410).
 *
 *   import * as db from "canvassing/db.js";
 *   await db.addRecord(listId, record, visit);
 *   const batch = await db.outboxBatch(listId, 50);
 */

let NAME = "groundgame-canvass";
const VERSION = 1;
const STORES = ["lists", "outbox", "visits", "rejected"];

let opening = null;

/** Another app on the same outbox code keeps its own database (the telling app: "groundgame-telling"). Call before
 * anything else. */
export function useDatabase(name) {
  if (opening) throw new Error("useDatabase() must come before the database is opened");
  NAME = name;
}

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("lists", { keyPath: "id" });
        for (const name of ["outbox", "visits", "rejected"]) {
          db.createObjectStore(name, { keyPath: "id" }).createIndex("list", "list");
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close();
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

/** Run `work(stores)` in one transaction; resolves with what `work` returned once the transaction committed. */
async function transact(names, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
    try {
      result = work(stores);
    } catch (error) {
      tx.abort();
      reject(error);
    }
  });
}

/** A request's result, as a value filled in when the transaction completes. */
function collect(request) {
  const box = { value: undefined };
  request.onsuccess = () => {
    box.value = request.result;
  };
  return box;
}

export async function getList(id) {
  const box = await transact(["lists"], "readonly", (s) => collect(s.lists.get(id)));
  return box.value;
}

export async function allLists() {
  const box = await transact(["lists"], "readonly", (s) => collect(s.lists.getAll()));
  return box.value || [];
}

/** Keep a claimed list: its token, and its download when given (a later download replaces it). */
export async function saveList(id, fields) {
  return transact(["lists"], "readwrite", (s) => {
    const request = s.lists.get(id);
    request.onsuccess = () => s.lists.put({ ...(request.result || { id }), ...fields, id });
  });
}

/** The record and what the door list shows of it, in one transaction: both or neither. */
export async function addRecord(listId, record, visit) {
  const now = Date.now();
  return transact(["outbox", "visits"], "readwrite", (s) => {
    s.outbox.add({ id: record.id, list: listId, record, createdAt: now });
    s.visits.put({ ...visit, id: record.id, list: listId, at: now });
  });
}

/** The oldest `size` records of the list's outbox. */
export async function outboxBatch(listId, size) {
  const box = await transact(["outbox"], "readonly", (s) => collect(s.outbox.index("list").getAll(listId)));
  return (box.value || []).sort((a, b) => a.createdAt - b.createdAt).slice(0, size);
}

/** How many records wait, for one list or all. */
export async function outboxCount(listId) {
  const box = await transact(["outbox"], "readonly", (s) =>
    collect(listId === undefined ? s.outbox.count() : s.outbox.index("list").count(listId)),
  );
  return box.value || 0;
}

/** The server's answer to a batch: acknowledged ids leave the outbox; refused ones move to `rejected`. Ids of
 * other lists, or not in the outbox, are ignored. */
export async function settle(listId, acknowledged, errors) {
  return transact(["outbox", "rejected"], "readwrite", (s) => {
    for (const id of acknowledged) {
      const request = s.outbox.get(id);
      request.onsuccess = () => {
        if (request.result && request.result.list === listId) s.outbox.delete(id);
      };
    }
    for (const { id, error } of errors) {
      const request = s.outbox.get(id);
      request.onsuccess = () => {
        const entry = request.result;
        if (!entry || entry.list !== listId) return;
        s.rejected.put({ id, list: listId, record: entry.record, error });
        s.outbox.delete(id);
      };
    }
  });
}

/** Merge `fields` into the visits with these ids (what the server said about them). */
export async function updateVisits(ids, fields) {
  return transact(["visits"], "readwrite", (s) => {
    for (const id of ids) {
      const request = s.visits.get(id);
      request.onsuccess = () => {
        if (request.result) s.visits.put({ ...request.result, ...fields });
      };
    }
  });
}

export async function visits(listId) {
  const box = await transact(["visits"], "readonly", (s) => collect(s.visits.index("list").getAll(listId)));
  return box.value || [];
}

export async function rejected(listId) {
  const box = await transact(["rejected"], "readonly", (s) => collect(s.rejected.index("list").getAll(listId)));
  return box.value || [];
}

/** Forget the list's downloaded doors and electors, keeping what waits to be synced. */
export async function forgetDoors(listId) {
  return transact(["lists"], "readwrite", (s) => {
    const request = s.lists.get(listId);
    request.onsuccess = () => {
      if (request.result) s.lists.put({ ...request.result, data: null });
    };
  });
}

/** Everything held for the list goes: the list, its outbox, visits and refused records. */
export async function wipeList(listId) {
  return transact(STORES, "readwrite", (s) => {
    s.lists.delete(listId);
    for (const name of ["outbox", "visits", "rejected"]) {
      const request = s[name].index("list").getAllKeys(listId);
      request.onsuccess = () => {
        for (const key of request.result) s[name].delete(key);
      };
    }
  });
}

/** Keep the app and what it holds on this phone: its service worker (the shell and modules open with no signal;
 * a page that loaded while the worker was installing asks to be taken over) and persistent storage (the browser
 * does not clear IndexedDB under storage pressure). Both apps on this outbox call it once at start. */
export function keepOffline(serviceWorker, scope) {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(serviceWorker, { scope }).catch(() => {});
    navigator.serviceWorker.ready.then((registration) => {
      if (!navigator.serviceWorker.controller) registration.active.postMessage({ type: "claim" });
    });
  }
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then((persisted) => persisted || navigator.storage.persist()).catch(() => {});
  }
}
