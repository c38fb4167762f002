// Progressive enhancement only: every page works without this file. Copy buttons are
// hidden in the markup and shown here, where they can work.
for (const button of document.querySelectorAll("[data-copy][hidden]")) {
  button.hidden = false;
}

// A refused form: move to the summary of its errors at the top of the page, so a
// keyboard or screen reader user starts there (each error links to its field).
document.getElementById("error-summary")?.focus();

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "✓";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
});

// Live updates: a page that watches its store reloads when something happens to it
// (an order arrives, the upgrade completes). Without JavaScript, "Check again" does this.
const live = document.querySelector("[data-live]");
if (live && "EventSource" in window) {
  const source = new EventSource(live.dataset.live);
  source.addEventListener("changed", () => {
    source.close();
    window.location.reload();
  });
}

// Work that runs beside the requests (reminding every matching store): its page reloads
// itself while it runs. Without JavaScript, "Check again" does this.
const reload = document.querySelector("[data-reload]");
if (reload) {
  setTimeout(() => window.location.reload(), Number(reload.dataset.reload) || 2000);
}

// The browser's time zone, so times are shown in it from the next page on (a time zone
// chosen on the account page wins; without JavaScript, times are in UTC).
try {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.split("; ").includes(`tz=${zone}`)) {
    document.cookie = `tz=${zone}; path=/; max-age=31536000; samesite=lax`;
  }
} catch {
  // No Intl: times stay in UTC.
}
