/* The walk list preview map: progressive enhancement of the ordered list of doors beside it (which works alone).
 *
 * Leaflet (core/vendor/leaflet/leaflet.js, a classic script loaded before this module) draws one marker per door,
 * numbered in walking order, and a line through them in that order. Doors of one postcode share a point, so a
 * marker there (darker, with a ring) shows the first door's number and its popup names every door. Tiles come from data-tiles (settings:
 * GROUNDGAME_MAP_TILE_URL). Hovering or focusing a door in the list highlights its marker.
 *
 * Example:
 *   <div id="walklist-map" data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png" data-attribution="&copy; OSM"
 *     role="region" aria-label="Map of the doors" hidden></div>
 *   <ol><li data-position="1">1 Acacia Avenue</li>...</ol>
 *   <script id="walklist-markers" type="application/json">
 *     [{"n": 1, "lat": 52.92, "lon": -1.48, "label": "1. 1 Acacia Avenue"}]
 *   </script>
 */
const L = window.L;
const element = document.getElementById("walklist-map");
const data = document.getElementById("walklist-markers");

function numberIcon(number, many) {
  const icon = L.divIcon({
    className: `walklist-marker${many ? " walklist-marker--many" : ""}`,
    html: "",
    iconSize: [26, 26],
    iconAnchor: [13, 13],
    popupAnchor: [0, -13],
  });
  icon.createIcon = function (old) {
    const div = L.DivIcon.prototype.createIcon.call(this, old);
    div.textContent = String(number);
    return div;
  };
  return icon;
}

function build() {
  const doors = JSON.parse(data.textContent);
  element.hidden = false;
  const map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 }); // fit the walk closely
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);

  // Group doors at the same point (a postcode centroid), keeping walking order.
  const places = new Map();
  for (const door of doors) {
    const key = `${door.lat.toFixed(6)},${door.lon.toFixed(6)}`;
    if (!places.has(key)) places.set(key, { lat: door.lat, lon: door.lon, doors: [] });
    places.get(key).doors.push(door);
  }
  const byPosition = new Map();
  const points = [];
  places.forEach((place) => {
    const label = place.doors.map((door) => door.label).join("\n");
    const marker = L.marker([place.lat, place.lon], {
      icon: numberIcon(place.doors[0].n, place.doors.length > 1),
      title: label,
      alt: label,
      keyboard: true,
    });
    const popup = document.createElement("div");
    for (const door of place.doors) {
      const line = document.createElement("div");
      line.textContent = door.label;
      popup.append(line);
    }
    marker.bindPopup(popup).addTo(map);
    for (const door of place.doors) byPosition.set(String(door.n), marker);
  });
  for (const door of doors) points.push([door.lat, door.lon]);
  L.polyline(points, { color: "#b3122e", weight: 3, opacity: 0.7 }).addTo(map);
  const start = L.circleMarker(points[0], { radius: 16, color: "#1d7a3e", weight: 3, fill: false }).addTo(map);
  start.bindTooltip(element.dataset.start || "Start");
  if (points.length === 1) map.setView(points[0], 17);
  else map.fitBounds(points, { padding: [28, 28], maxZoom: 18 });

  // The list beside the map: hovering or focusing a door lights up its marker.
  document.querySelectorAll("[data-position]").forEach((item) => {
    const marker = byPosition.get(item.dataset.position);
    if (!marker) return;
    const on = () => marker.getElement()?.classList.add("is-active");
    const off = () => marker.getElement()?.classList.remove("is-active");
    item.addEventListener("mouseenter", on);
    item.addEventListener("mouseleave", off);
    item.addEventListener("focusin", on);
    item.addEventListener("focusout", off);
  });
}

if (L && element && data) build();
