/* Keyboard voting on the one-statement card: A agree, D disagree, P pass (not while typing in a field).

   <form class="lst-card__choices">
     <button data-key="a" ...>Agree</button> <button data-key="d" ...>Disagree</button> <button data-key="p" ...>Pass</button>
   </form>

   The buttons are found afresh on each key press, so the card htmx swapped in is used. */
(function () {
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var button = document.querySelector('#vote-card [data-key="' + event.key.toLowerCase() + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });
})();
