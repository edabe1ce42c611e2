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
