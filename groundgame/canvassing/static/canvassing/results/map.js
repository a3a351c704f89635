/* The results map: the campaign's polling districts shaded by contact rate (progressive enhancement: the table
 * below it holds the same figures). Leaflet (core/vendor/leaflet/leaflet.js, a classic script loaded first) draws
 * the GeoJSON the page passes with json_script; each area's colour comes from the server (results.CONTACT_BANDS).
 */
const L = window.L;
const element = document.getElementById("results-map");
const data = document.getElementById("results-districts-geojson");

function percent(rate) {
  return rate === null ? "–" : `${Math.round(rate * 100)}%`;
}

function popup(properties) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = `${properties.code} ${properties.name !== properties.code ? properties.name : ""}`.trim();
  const figures = document.createElement("div");
  figures.textContent = `${properties.knocked} of ${properties.doors} doors knocked · contact ${percent(properties.contact_rate)}`;
  box.append(title, figures);
  return box;
}

if (L && element && data) {
  const map = L.map(element, { scrollWheelZoom: false });
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
  const layer = L.geoJSON(JSON.parse(data.textContent), {
    style: (feature) => ({ color: "#333", weight: 1, fillColor: feature.properties.fill, fillOpacity: 0.7 }),
    onEachFeature: (feature, shape) => shape.bindPopup(popup(feature.properties)),
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
}
