/**
 * The canvasser app's service worker: the app opens and runs with no signal at all.
 *
 * Served by groundgame/canvassing/offline.py (for the canvasser app at /canvassing/app/sw.js, for the telling app
 * at /pollingday/tell/sw.js; its scope is the app), which puts four constants in front of this text: CACHE_PREFIX,
 * VERSION (a hash of the files below), SHELL (the app's URL) and PRECACHE (the shell, the manifest, styles, modules
 * and icons). Installing keeps them all in one cache named after VERSION;
 * activating drops older caches. The shell and those files are then answered from the cache (the app's routes are
 * in the fragment, so every visit is the same shell). Nothing else is cached, above all not the API: walk lists
 * and records live in IndexedDB, where the app can wipe them.
 */
/* global CACHE_PREFIX, VERSION, SHELL, PRECACHE */

const CACHE = `${CACHE_PREFIX}${VERSION}`;
const KEPT = new Set(PRECACHE.map((url) => new URL(url, self.location.origin).href));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(CACHE_PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// A page that finished loading while this worker was still installing asks to be taken over (clients.claim() at
// activation can miss a page that is loading at that moment), so that it works offline without a reload.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "claim") event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL) {
    event.respondWith(fromCache(SHELL, request));
    return;
  }
  url.hash = "";
  if (KEPT.has(url.href)) event.respondWith(fromCache(url.href, request));
});

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreSearch: key === SHELL });
  return hit || fetch(request);
}
