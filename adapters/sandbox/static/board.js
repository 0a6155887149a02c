// The case board redraws itself when the sandbox changes (server-sent events), keeping the scroll place.
"use strict";

(function () {
  const main = document.getElementById("cases");
  let timer = null;
  let busy = false;
  const TOKEN = (document.querySelector('meta[name="sandbox-token"]') || {}).content || "";

  async function redraw() {
    if (busy) return;
    busy = true;
    try {
      const resp = await fetch("/sandbox/api/board", { headers: { "X-Sandbox-Token": TOKEN } });
      if (resp.ok) {
        const open = new Set([...main.querySelectorAll("details[open]")].map((d) => d.closest("article").id));
        main.innerHTML = await resp.text(); // the server's own markup, every value escaped there
        for (const id of open) {
          const d = document.querySelector("#" + CSS.escape(id) + " details");
          if (d) d.open = true;
        }
      }
    } finally {
      busy = false;
    }
  }

  const events = new EventSource("/sandbox/api/events?token=" + encodeURIComponent(TOKEN));
  events.addEventListener("change", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(redraw, 250);
  });
})();
