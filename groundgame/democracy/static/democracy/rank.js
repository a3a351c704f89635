/* Tap to rank, on top of the rank number selects that work without JavaScript.

   <fieldset data-rank>
     <p data-rank-help-nojs>Give 1 to your first choice...</p>
     <ol class="rank-fallback">
       <li data-rank-option data-name="Ada" data-select="id_rank_1"><label for="id_rank_1">Ada</label>
         <select id="id_rank_1" name="rank_1"><option value="">not ranked</option><option>1</option>...</select></li>
     </ol>
   </fieldset>
   {{ rank_text|json_script:"rank-text" }}  (the translated labels)

   The selects stay in the form (hidden) and are what is submitted: this script only sets their values. Tapping a
   candidate adds them at the end of the ranking; up, down and remove buttons reorder it. Everything is a real
   button, so it works with a keyboard and a screen reader; focus stays on the control that moved, and each change
   is announced in a polite live region. */
(function () {
  "use strict";
  var root = document.querySelector("[data-rank]");
  var textNode = document.getElementById("rank-text");
  if (!root || !textNode) return;
  var text = JSON.parse(textNode.textContent);
  var fmt = function (template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  };
  var options = Array.prototype.map.call(root.querySelectorAll("[data-rank-option]"), function (row) {
    return { name: row.getAttribute("data-name"), select: document.getElementById(row.getAttribute("data-select")) };
  });
  // The starting order: whatever the selects say (a form shown again after an error keeps its ranking).
  var ranking = options
    .filter(function (o) { return o.select.value; })
    .sort(function (a, b) { return Number(a.select.value) - Number(b.select.value); });

  var ui = document.createElement("div");
  ui.className = "rank-ui";
  ui.innerHTML =
    '<p class="small muted rank-help"></p>' +
    '<h3 id="rank-list-heading"></h3><p class="rank-empty"></p><ol class="rank-list" aria-labelledby="rank-list-heading"></ol>' +
    '<h3 id="rank-pool-heading"></h3><ul class="rank-pool" aria-labelledby="rank-pool-heading"></ul>' +
    '<p class="visually-hidden" aria-live="polite" data-rank-status></p>';
  ui.querySelector(".rank-help").textContent = text.help;
  ui.querySelector("#rank-list-heading").textContent = text.ranking;
  ui.querySelector("#rank-pool-heading").textContent = text.pool;
  ui.querySelector(".rank-empty").textContent = text.empty;
  root.appendChild(ui);
  root.classList.add("rank--enhanced");
  var list = ui.querySelector(".rank-list");
  var pool = ui.querySelector(".rank-pool");
  var status = ui.querySelector("[data-rank-status]");

  function button(label, aria, action, index) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (aria) b.setAttribute("aria-label", aria);
    b.setAttribute("data-action", action);
    b.setAttribute("data-index", String(index));
    return b;
  }

  function sync() {
    options.forEach(function (o) { o.select.value = ""; });
    ranking.forEach(function (o, i) { o.select.value = String(i + 1); });
  }

  function render() {
    list.textContent = "";
    pool.textContent = "";
    ranking.forEach(function (o, i) {
      var li = document.createElement("li");
      li.setAttribute("data-testid", "ranked");
      var no = document.createElement("span");
      no.className = "rank-list__no";
      no.textContent = String(i + 1);
      var name = document.createElement("span");
      name.className = "rank-list__name";
      name.textContent = o.name;
      var up = button("↑", fmt(text.up, { name: o.name }), "up", i);
      var down = button("↓", fmt(text.down, { name: o.name }), "down", i);
      var remove = button("✕", fmt(text.remove, { name: o.name }), "remove", i);
      up.disabled = i === 0;
      down.disabled = i === ranking.length - 1;
      li.append(no, name, up, down, remove);
      list.appendChild(li);
    });
    var unranked = options.filter(function (o) { return ranking.indexOf(o) < 0; });
    unranked.forEach(function (o) {
      var li = document.createElement("li");
      var add = button(o.name, fmt(text.add, { name: o.name }), "add", options.indexOf(o));
      add.setAttribute("data-testid", "unranked");
      li.appendChild(add);
      pool.appendChild(li);
    });
    ui.querySelector(".rank-empty").hidden = ranking.length > 0;
    ui.querySelector("#rank-pool-heading").hidden = unranked.length === 0;
    sync();
  }

  function focus(selector) {
    var el = ui.querySelector(selector);
    if (el && !el.disabled) { el.focus(); return true; }
    return false;
  }

  function announce(message) { status.textContent = message; }

  ui.addEventListener("click", function (event) {
    var b = event.target.closest("button[data-action]");
    if (!b) return;
    var action = b.getAttribute("data-action");
    var i = Number(b.getAttribute("data-index"));
    if (action === "add") {
      var option = options[i];
      var poolIndex = Array.prototype.indexOf.call(pool.querySelectorAll("button"), b);
      ranking.push(option);
      render();
      announce(fmt(text.ranked, { name: option.name, n: ranking.length }));
      var rest = pool.querySelectorAll("button");
      if (rest.length) rest[Math.min(poolIndex, rest.length - 1)].focus();
      else focus('[data-action="remove"][data-index="' + (ranking.length - 1) + '"]');
    } else if (action === "up" || action === "down") {
      var j = action === "up" ? i - 1 : i + 1;
      var moved = ranking[i];
      ranking[i] = ranking[j];
      ranking[j] = moved;
      render();
      announce(fmt(text.ranked, { name: moved.name, n: j + 1 }));
      focus('[data-action="' + action + '"][data-index="' + j + '"]') ||
        focus('[data-action="' + (action === "up" ? "down" : "up") + '"][data-index="' + j + '"]');
    } else if (action === "remove") {
      var gone = ranking.splice(i, 1)[0];
      render();
      announce(fmt(text.removed, { name: gone.name }));
      focus('[data-action="add"][data-index="' + options.indexOf(gone) + '"]');
    }
  });

  render();
})();
