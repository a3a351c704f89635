/*
 * hexmap.js: details of a hex-map seat in a live panel, on hover, keyboard focus or tap.
 *
 * The page works without it: every hexagon is a link with a <title>. With it:
 * - hovering or tabbing to a hexagon fills the panel (an aria-live region) from the hexagon's data-* attributes;
 * - on a touch screen the first tap on a hexagon shows its details, a second tap on it opens its page;
 * - the active hexagon is outlined by a highlight polygon drawn on top of its neighbours.
 *
 * HTML it expects (labels are translated by the server; the script only fills in values):
 *
 *   <svg data-hexmap viewBox="0 0 100 100">
 *     <a href="/constituencies/2010/E14000662/"><title>Derby North: ...</title>
 *       <polygon class="hex" points="..." data-code="E14000662" data-name="Derby North" data-winner="Conservative"
 *         data-majority="41 (0.1%)" data-swing="0.06" data-position="gain" data-position-label="Gain #1"
 *         data-target="1"/></a>
 *     <polygon class="hex-highlight" data-hexmap-highlight points="0,0" aria-hidden="true"/>
 *   </svg>
 *   <div data-hexmap-panel aria-live="polite" hidden>
 *     <p data-hexmap-hint>Hover over a seat, tap it, or tab to it.</p>
 *     <div data-hexmap-details hidden>
 *       <a data-field="href"><span data-field="name"></span></a>
 *       <span class="badge" data-field="position-label"></span> <span data-field="target" hidden>Target</span>
 *       <dd data-field="winner"></dd> <dd data-field="majority"></dd>
 *       <div data-field-wrap="swing"><span data-field="swing"></span> pts</div>
 *     </div>
 *   </div>
 *
 * A polygon with class "is-selected" (e.g. from ?seat=CODE) is shown when the page loads.
 */
(function () {
  "use strict";

  function init(svg) {
    var panel = document.querySelector("[data-hexmap-panel]");
    if (!panel) return;
    panel.hidden = false; // without this script the panel would only repeat the hexagons' own titles
    var hint = panel.querySelector("[data-hexmap-hint]");
    var details = panel.querySelector("[data-hexmap-details]");
    var highlight = svg.querySelector("[data-hexmap-highlight]");
    var active = null;
    var lastPointer = "mouse";
    var activeBeforeTap = null; // a tap also fires mouseover and focus before its click

    function field(name) {
      return panel.querySelector('[data-field="' + name + '"]');
    }

    function show(hex) {
      if (!hex || hex === active) return;
      if (active) active.classList.remove("is-active");
      active = hex;
      hex.classList.add("is-active");
      var d = hex.dataset;
      var link = hex.closest("a");
      field("name").textContent = d.name;
      field("href").setAttribute("href", link ? link.getAttribute("href") : "#");
      field("winner").textContent = d.winner || "–";
      field("majority").textContent = d.majority || "–";
      field("swing").textContent = d.swing;
      panel.querySelector('[data-field-wrap="swing"]').hidden = !d.swing;
      var badge = field("position-label");
      badge.textContent = d.positionLabel;
      badge.className = "badge badge--" + (d.position || "neither");
      field("target").hidden = !d.target;
      if (hint) hint.hidden = true;
      details.hidden = false;
      if (highlight) highlight.setAttribute("points", hex.getAttribute("points"));
    }

    function hexFrom(event) {
      var link = event.target.closest && event.target.closest("a");
      return link && svg.contains(link) ? link.querySelector(".hex") : null;
    }

    svg.addEventListener("pointerdown", function (event) {
      lastPointer = event.pointerType || "mouse";
      activeBeforeTap = active;
    });
    svg.addEventListener("mouseover", function (event) {
      show(hexFrom(event));
    });
    svg.addEventListener("focusin", function (event) {
      show(hexFrom(event));
    });
    svg.addEventListener("click", function (event) {
      var hex = hexFrom(event);
      if (!hex) return;
      // A first tap previews the seat; tapping the seat already shown opens its page.
      if ((lastPointer === "touch" || lastPointer === "pen") && hex !== activeBeforeTap) {
        event.preventDefault();
        show(hex);
      }
      lastPointer = "mouse";
    });

    show(svg.querySelector(".hex.is-selected"));
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("svg[data-hexmap]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
