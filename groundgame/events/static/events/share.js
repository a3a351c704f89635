/* The event page's Share button: the phone's share sheet (Web Share API) where there is one, otherwise copy the
 * link. Without JavaScript (or either API) the button stays hidden and the link is in a text box to copy.
 *
 * Example:
 *   <button type="button" data-share-url="https://example.org/events/<uuid>/" data-share-title="Canvassing"
 *     data-copied="Link copied" hidden>Share</button>
 *   <input id="share-link" value="https://example.org/events/<uuid>/" readonly>
 *   <p role="status" data-share-status></p>
 */
const status = document.querySelector("[data-share-status]");

for (const button of document.querySelectorAll("[data-share-url]")) {
  if (!navigator.share && !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const url = button.dataset.shareUrl;
    if (navigator.share) {
      try {
        await navigator.share({ title: button.dataset.shareTitle, url });
      } catch {
        // the person closed the share sheet
      }
      return;
    }
    try {
      await navigator.clipboard.writeText(url);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      document.getElementById("share-link")?.select();
    }
  });
}
