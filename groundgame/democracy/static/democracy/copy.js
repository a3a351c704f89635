/* Copy button for the receipt code.
   <p id="receipt-code">7KQ2-M9XD-4TRB-HW3N-P8CE</p>
   <button data-copy="#receipt-code" hidden>Copy</button> <p data-copied hidden>Copied.</p>
   The button is shown only where the clipboard API is available; the code stays selectable either way. */
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    var done = document.querySelector("[data-copied]");
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (done) done.hidden = false;
      });
    });
  });
})();
