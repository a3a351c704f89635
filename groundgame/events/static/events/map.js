/* The events map: progressive enhancement of the discovery list (the list works without it).
 *
 * Leaflet (vendor/leaflet/leaflet.js, a classic script loaded before this module) draws the markers that the page
 * passes with json_script. On phones the map opens from a button, so the list stays first; on wide screens it opens
 * beside the list at once. Tiles come from the URL in data-tiles (settings: GROUNDGAME_MAP_TILE_URL).
 *
 * Example:
 *   <button id="events-map-toggle" aria-controls="events-map-panel" aria-expanded="false"
 *     data-show="Show on a map" data-hide="Hide the map" hidden>Show on a map</button>
 *   <div id="events-map-panel" hidden>
 *     <div id="events-map" data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png" data-attribution="&copy; OSM"></div>
 *   </div>
 *   <script id="event-markers" type="application/json">
 *     [{"lat": 52.92, "lon": -1.47, "title": "Canvassing", "url": "/events/<uuid>/", "when": "Sat 14 Nov, 10:00"}]
 *   </script>
 */
const L = window.L;
const panel = document.getElementById("events-map-panel");
const toggle = document.getElementById("events-map-toggle");
const data = document.getElementById("event-markers");
let map = null;

function popupFor(marker) {
  const box = document.createElement("div");
  const link = document.createElement("a");
  link.href = marker.url;
  link.textContent = marker.title;
  const when = document.createElement("div");
  when.textContent = marker.when;
  box.append(link, when);
  return box;
}

function build() {
  const element = document.getElementById("events-map");
  const markers = JSON.parse(data.textContent);
  map = L.map(element, { scrollWheelZoom: false });
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
  const points = markers.map((marker) => {
    L.marker([marker.lat, marker.lon], { title: marker.title, alt: marker.title })
      .bindPopup(popupFor(marker))
      .addTo(map);
    return [marker.lat, marker.lon];
  });
  if (points.length === 1) {
    map.setView(points[0], 13);
  } else {
    map.fitBounds(points, { padding: [24, 24], maxZoom: 14 });
  }
}

function show(open) {
  panel.hidden = !open;
  toggle.setAttribute("aria-expanded", String(open));
  toggle.textContent = open ? toggle.dataset.hide : toggle.dataset.show;
  if (!open) return;
  if (map === null) build();
  else map.invalidateSize();
}

if (L && panel && toggle && data) {
  toggle.hidden = false;
  toggle.addEventListener("click", () => show(panel.hidden));
  show(window.matchMedia("(min-width: 48rem)").matches);
}
