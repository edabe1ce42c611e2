// Progressive enhancement only: every page works without this file.
// Asks before a delete form is sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});


// On a narrow screen the staff menu scrolls sideways: show the current entry.
const current = document.querySelector(".side [aria-current]");
if (current && current.scrollIntoView) {
  current.scrollIntoView({ block: "nearest", inline: "center" });
}

// A template form previews what is typed, a moment after typing stops: the form is posted
// with `preview` (which saves nothing) and the preview section of the answer replaces this
// page's. The answer is the server's own page, its preview already sanitized; without this
// file the "Preview without saving" button does the same.
for (const form of document.querySelectorAll("form[data-live-preview]")) {
  const target = form.getAttribute("data-live-preview");
  let timer = null;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const body = new URLSearchParams(new FormData(form));
      body.set("preview", "1");
      try {
        const answer = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
        const page = new DOMParser().parseFromString(await answer.text(), "text/html");
        const fresh = page.querySelector(target);
        const shown = document.querySelector(target);
        if (fresh && shown) {
          shown.replaceChildren(...fresh.childNodes);
        }
      } catch (_) {
        // The button still works.
      }
    }, 400);
  });
}
