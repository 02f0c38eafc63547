// The UI's one script: it only makes plain links and forms quicker. Without it every page
// still works (search is a GET form, every change a POST form with its CSRF token).

// "/" jumps to the search field (unless the user is typing somewhere).
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
  const field = document.querySelector("[data-shortcut='/']");
  if (field instanceof HTMLElement) {
    event.preventDefault();
    field.focus();
  }
});

// Search as you type: the results part of the page is fetched and swapped in; the newest
// keystroke wins (older answers are dropped), and the address bar follows.
for (const form of document.querySelectorAll("form[data-live-search]")) {
  const results = document.getElementById("results");
  if (!results) continue;
  let latest = 0;
  let timer = 0;
  const run = async () => {
    const ticket = ++latest;
    const params = new URLSearchParams(new FormData(form));
    const address = form.dataset.liveSearch + "?" + params.toString();
    params.set("fragment", "results");
    try {
      const response = await fetch(form.dataset.liveSearch + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok || ticket !== latest) return;
      const html = await response.text();
      if (ticket !== latest) return;
      const parsed = new DOMParser().parseFromString(html, "text/html");
      results.replaceChildren(...parsed.body.childNodes);
      history.replaceState(null, "", address);
    } catch {
      // Offline or the gateway is restarting: the form still works by submitting it.
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 60);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
}

// A file's text in the encoding it was saved in, as the API reads a posted file: UTF-8 (with or
// without BOM), UTF-16 (Excel's "Unicode text"), else Windows-1252 (Excel's CSV on Windows).
function decodeFile(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

// A chosen file is read into the form's text field (the plain form takes pasted text); a file
// of vCards picks "Contacts from vCards".
for (const input of document.querySelectorAll("input[type=file][data-fills]")) {
  input.addEventListener("change", async () => {
    const target = document.getElementById(input.dataset.fills);
    const file = input.files && input.files[0];
    if (!target || !file) return;
    target.value = decodeFile(new Uint8Array(await file.arrayBuffer()));
    const vcards = input.form && input.form.querySelector("input[name=kind][value=vcards]");
    if (vcards && /^\s*BEGIN:VCARD/i.test(target.value)) vcards.checked = true;
  });
}

// Long work shows progress: the form says so while its request runs, and is not sent twice.
for (const form of document.querySelectorAll("form[data-progress]")) {
  form.addEventListener("submit", (event) => {
    // Buttons stay enabled (the one pressed must reach the server); a second press is dropped.
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "yes";
    const status = form.querySelector(".progress");
    if (status) status.textContent = form.dataset.progress;
    form.setAttribute("aria-busy", "true");
  });
}

// Uploads: the file is the request body of the API's upload route, with a progress bar;
// the page reloads to show it once stored.
for (const form of document.querySelectorAll("form[data-upload]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.querySelector("input[type=file]");
    const file = input && input.files && input.files[0];
    if (!file) return;
    const bar = form.querySelector("progress");
    const status = form.querySelector(".progress");
    const request = new XMLHttpRequest();
    request.open("POST", form.dataset.upload + encodeURIComponent(file.name));
    request.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
    request.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    if (bar) bar.hidden = false;
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.round((100 * progress.loaded) / progress.total);
      if (bar) bar.value = percent;
      if (status) status.textContent = "Uploading " + file.name + ": " + percent + "%";
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) {
        location.reload();
      } else {
        let message = "The upload failed (" + request.status + ")";
        try { message = JSON.parse(request.responseText).error.message; } catch {}
        if (status) status.textContent = message;
      }
    });
    request.addEventListener("error", () => { if (status) status.textContent = "The upload failed: the connection broke."; });
    request.send(file);
  });
}

// Edits in place: a form marked data-inplace="<section id>" is sent in the background and
// the section is replaced by the same section of the page the server answers with (the card,
// after its redirect); an error page replaces the page, as it would without the script.
const announce = (text) => {
  const region = document.getElementById("announce");
  if (region) region.textContent = text;
};
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.inplace || form.dataset.sending) return;
  const section = document.getElementById(form.dataset.inplace);
  if (!section) return;
  event.preventDefault();
  form.dataset.sending = "yes";
  form.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(form.action, {
      method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "text/html" },
    });
    const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = parsed.getElementById(section.id);
    if (response.ok && fresh) {
      section.replaceWith(document.adoptNode(fresh));
      announce("Saved");
    } else {
      document.title = parsed.title;
      document.body.replaceWith(document.adoptNode(parsed.body));
    }
  } catch {
    // The connection broke: send the form the plain way.
    form.submit();
  } finally {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
  }
});

// Esc closes the open panel ("choose categories", "rename or delete") and puts focus back on
// its summary.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.activeElement instanceof Element ? document.activeElement.closest("details[open]") : null;
  const panel = open || document.querySelector("details[open]");
  if (!panel) return;
  panel.open = false;
  const summary = panel.querySelector("summary");
  if (summary instanceof HTMLElement) summary.focus();
});

// Live progress: an element marked data-live="<seconds>" is fetched again from the same page
// every so many seconds while it stays marked (a running batch); the new copy replaces it.
for (const live of document.querySelectorAll("[data-live]")) {
  const seconds = Math.max(1, Number(live.dataset.live) || 2);
  const refresh = async () => {
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = parsed.getElementById(live.id);
      const current = document.getElementById(live.id);
      if (!fresh || !current) return;
      current.replaceWith(fresh);
      if (fresh.dataset.live) setTimeout(refresh, seconds * 1000);
    } catch {
      setTimeout(refresh, seconds * 4000);
    }
  };
  setTimeout(refresh, seconds * 1000);
}

// The boards (sales and tasks): a card dragged onto another column (or between two cards) is
// moved there by its own "Move to" form, sent in place, so the board comes back with the
// columns' new counts and totals. Without the script the form's select does the same.
let dragged = null;
document.addEventListener("dragstart", (event) => {
  const card = event.target instanceof Element ? event.target.closest(".card[data-card]") : null;
  if (!card) return;
  dragged = card;
  card.classList.add("dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", card.dataset.card);
});
document.addEventListener("dragend", () => {
  if (dragged) dragged.classList.remove("dragging");
  dragged = null;
});
document.addEventListener("dragover", (event) => {
  const column = event.target instanceof Element ? event.target.closest(".column[data-status]") : null;
  if (!column || !dragged) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "move";
});
document.addEventListener("drop", (event) => {
  const column = event.target instanceof Element ? event.target.closest(".column[data-status]") : null;
  if (!column || !dragged) return;
  event.preventDefault();
  const form = dragged.querySelector("form.move");
  if (!form) return;
  // The card it was dropped below: the last card whose middle is above the pointer.
  let after = "";
  for (const card of column.querySelectorAll(".card[data-card]")) {
    if (card === dragged) continue;
    const box = card.getBoundingClientRect();
    if (box.top + box.height / 2 < event.clientY) after = card.dataset.card;
  }
  (form.elements.status_id || form.elements.status).value = column.dataset.status;
  form.elements.after_id.value = after;
  form.requestSubmit();
});
