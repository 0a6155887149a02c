// The sandbox page: draws what the server says the acting member sees, sends what they type or click,
// and redraws when the server's event stream says something changed. Cards are drawn by Microsoft's
// adaptivecards renderer (served by the app itself); without it, a simplified form is shown.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const AC = window.AdaptiveCards;
  const HOST_CONFIG = {
    fontFamily: "system-ui, 'Segoe UI', 'Liberation Sans', 'DejaVu Sans', sans-serif",
    spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 14 },
    fontSizes: { small: 13, default: 15, medium: 17, large: 21, extraLarge: 26 },
    containerStyles: {
      default: { backgroundColor: "#FFFFFF", foregroundColors: { default: { default: "#0B0C0C", subtle: "#505A5F" },
        attention: { default: "#B3261E", subtle: "#B3261E" }, good: { default: "#00703C", subtle: "#00703C" } } },
      emphasis: { backgroundColor: "#F3F2F1" },
      good: { backgroundColor: "#E3F1E8" },
      attention: { backgroundColor: "#FBE9E7" },
    },
    actions: { maxActions: 6, buttonSpacing: 8, actionsOrientation: "horizontal", actionAlignment: "left",
      showCard: { actionMode: "inline", inlineTopMargin: 8 } },
  };

  const state = { as: null, conversation: null, version: -1, data: null, busy: false, pending: false, focusAfter: null };
  const drawn = new Map(); // message id -> {sig, el}

  // -- small helpers -------------------------------------------------------------------------------
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  // The bot writes `command` and *bold* in its texts; everything else is shown as typed.
  function markdown(text) {
    return escapeHtml(text).replace(/`([^`\n]+)`/g, "<code>$1</code>").replace(/\*([^*\n]+)\*/g, "<strong>$1</strong>")
      .replace(/\n/g, "<br>");
  }
  // One line in the status region (read out by screen readers); the whole reply is in the conversation.
  function announce(text) {
    const el = $("announce");
    const line = String(text || "").split("\n")[0].replace(/[*`]/g, "");
    el.textContent = "";
    window.setTimeout(() => { el.textContent = line; }, 30);
  }
  function clickId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }
  // The token this page was served with: every API call carries it (another site's page cannot read it).
  const TOKEN = (document.querySelector('meta[name="sandbox-token"]') || {}).content || "";
  async function api(path, body) {
    const init = body === undefined ? { headers: { "X-Sandbox-Token": TOKEN } }
      : { method: "POST", headers: { "Content-Type": "application/json", "X-Sandbox-Token": TOKEN }, body: JSON.stringify(body) };
    const resp = await fetch(path, init);
    const type = resp.headers.get("Content-Type") || "";
    const payload = type.includes("json") ? await resp.json() : { ok: false, text: await resp.text() };
    if (!resp.ok && payload.ok === undefined) payload.ok = false;
    return payload;
  }
  function remember() {
    try {
      localStorage.setItem("sandbox.as", state.as);
      localStorage.setItem("sandbox.conversation." + state.as, state.conversation || "");
    } catch (e) { /* private browsing: the URL still carries the choice */ }
    const url = new URL(window.location.href);
    url.searchParams.set("as", state.as);
    if (state.conversation) url.searchParams.set("c", state.conversation); else url.searchParams.delete("c");
    window.history.replaceState(null, "", url);
  }
  function recall(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  // -- cards ------------------------------------------------------------------------------------------
  if (AC) {
    AC.AdaptiveCard.onProcessMarkdown = (text, result) => { result.outputHtml = markdown(text); result.didProcess = true; };
  }

  function renderCard(json, message) {
    const holder = document.createElement("div");
    holder.className = "card";
    holder.tabIndex = -1;
    holder.setAttribute("role", "group");
    holder.setAttribute("aria-label", cardLabel(json));
    if (AC) {
      const card = new AC.AdaptiveCard();
      card.hostConfig = new AC.HostConfig(HOST_CONFIG);
      card.onExecuteAction = (action) => {
        const type = action.getJsonTypeName();
        if (type === "Action.Execute" || type === "Action.Submit") {
          act(message, action.verb || "submit", action.data || {});
        }
      };
      try {
        card.parse(json);
        const el = card.render();
        if (el) { holder.appendChild(el); return holder; }
      } catch (e) {
        console.error("adaptivecards could not draw a card", e);
      }
    }
    holder.appendChild(simpleCard(json, message));
    return holder;
  }

  function cardLabel(json) {
    const first = (json.body || [])[0] || {};
    const texts = (first.items || [first]).filter((x) => x.type === "TextBlock").map((x) => x.text);
    return texts.join(": ") || "Card";
  }

  // Without the renderer: the card's words and its plain buttons (forms need the renderer).
  function simpleCard(json, message) {
    const box = document.createElement("div");
    box.className = "simple-card";
    const walk = (items, into) => {
      for (const item of items || []) {
        if (item.type === "TextBlock") {
          const p = document.createElement("p");
          p.innerHTML = markdown(item.text || "");
          into.appendChild(p);
        } else if (item.type === "FactSet") {
          const dl = document.createElement("dl");
          for (const f of item.facts || []) {
            const dt = document.createElement("dt"); dt.textContent = f.title; dl.appendChild(dt);
            const dd = document.createElement("dd"); dd.textContent = f.value; dl.appendChild(dd);
          }
          into.appendChild(dl);
        } else if (item.type === "Container") {
          walk(item.items, into);
        } else if (item.type === "ColumnSet") {
          for (const col of item.columns || []) walk(col.items, into);
        }
      }
    };
    walk(json.body, box);
    for (const action of json.actions || []) {
      if (action.type !== "Action.Execute") continue;
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = action.title;
      b.addEventListener("click", () => act(message, action.verb, action.data || {}));
      box.appendChild(b);
    }
    return box;
  }

  // -- drawing ----------------------------------------------------------------------------------------
  function messageElement(m) {
    const li = document.createElement("li");
    li.className = "msg msg-" + m.kind + (m.private ? " private" : "") + (m.ok === false ? " refused" : "");
    li.dataset.id = m.id;
    if (m.card_kind) li.dataset.card = m.card_kind;
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.innerHTML = '<span class="author">' + escapeHtml(m.author) + "</span> " +
      '<span class="when">' + escapeHtml(m.at) + "</span>" +
      (m.private ? ' <span class="badge">Only you can see this</span>' : "");
    li.appendChild(meta);
    if (m.text !== undefined) {
      const body = document.createElement("div");
      body.className = "text";
      body.innerHTML = m.kind === "command" ? "<code>" + escapeHtml(m.text) + "</code>" : markdown(m.text);
      li.appendChild(body);
    }
    if (m.card) li.appendChild(renderCard(m.card, m));
    return li;
  }

  function drawMessages(list, messages) {
    const keep = new Set();
    let previous = null;
    for (const m of messages) {
      const sig = JSON.stringify(m);
      let entry = drawn.get(m.id);
      if (!entry || entry.sig !== sig) {
        const el = messageElement(m);
        if (entry) entry.el.replaceWith(el);
        entry = { sig, el };
        drawn.set(m.id, entry);
      }
      keep.add(m.id);
      const anchor = previous ? previous.nextSibling : list.firstChild;
      if (entry.el !== anchor) list.insertBefore(entry.el, anchor);
      previous = entry.el;
    }
    for (const [id, entry] of drawn) {
      if (!keep.has(id) && entry.el.parentNode === list) { entry.el.remove(); drawn.delete(id); }
    }
  }

  function drawConversations(data) {
    const ul = $("conversations");
    ul.textContent = "";
    for (const c of data.conversations) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "conversation" + (c.archived ? " archived" : "");
      b.dataset.id = c.id;
      b.innerHTML = '<span class="name">' + escapeHtml(c.label) + "</span>" +
        (c.state ? '<span class="state">' + escapeHtml(c.state) + "</span>" : "") +
        (c.archived ? '<span class="state">archived</span>' : "");
      if (c.id === data.conversation.id) b.setAttribute("aria-current", "true");
      b.addEventListener("click", () => {
        state.conversation = c.id;
        remember();
        refresh().then(() => $("conversation-title").focus());
      });
      li.appendChild(b);
      ul.appendChild(li);
    }
  }

  function draw(data) {
    const scrolledToEnd = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    const switched = !state.data || state.data.conversation.id !== data.conversation.id || state.data.me.key !== data.me.key;
    state.data = data;
    state.version = data.version;
    state.conversation = data.conversation.id;
    $("clock").textContent = data.clock.human + (data.clock.shifted ? " (not the real date)" : "");
    $("advance").hidden = !data.clock_control;
    $("renderer-missing").hidden = Boolean(AC) && data.renderer;
    drawConversations(data);
    const conv = data.conversation;
    $("conversation-title").textContent = conv.direct ? "Bot: your private conversation" : conv.label;
    $("conversation-topic").textContent = conv.direct
      ? "Commands typed here are private. Direct messages from the bot (requests, approvals, reminders) arrive here."
      : (conv.archived ? "Archived: read only." : "Case channel. Commands typed here apply to this case.");
    const pinned = $("pinned");
    if (switched) { drawn.clear(); $("messages").textContent = ""; pinned.textContent = ""; }
    if (conv.pinned) {
      pinned.hidden = false;
      const sig = JSON.stringify(conv.pinned);
      if (pinned.dataset.sig !== sig) {
        pinned.textContent = "";
        const h = document.createElement("h3");
        h.textContent = "Pinned: case status";
        pinned.appendChild(h);
        pinned.appendChild(renderCard(conv.pinned.card, conv.pinned));
        pinned.dataset.sig = sig;
      }
    } else {
      pinned.hidden = true;
      pinned.textContent = "";
      pinned.dataset.sig = "";
    }
    drawMessages($("messages"), conv.messages);
    $("empty").hidden = conv.messages.length > 0 || Boolean(conv.pinned);
    $("composer").disabled = conv.archived;
    if (state.focusAfter) {
      const el = document.querySelector('[data-id="' + CSS.escape(state.focusAfter) + '"] .card') ||
        (conv.pinned && conv.pinned.id === state.focusAfter ? pinned.querySelector(".card") : null);
      if (el) el.focus({ preventScroll: false });
      state.focusAfter = null;
    } else if (switched || scrolledToEnd) {
      const last = $("messages").lastElementChild;
      if (last && !switched) last.scrollIntoView({ block: "nearest" });
    }
  }

  async function refresh() {
    if (!state.as) return;
    if (state.busy) { state.pending = true; return; }
    state.busy = true;
    try {
      const q = new URLSearchParams({ as: state.as });
      if (state.conversation) q.set("conversation", state.conversation);
      const data = await api("/sandbox/api/state?" + q.toString());
      if (data.conversation) draw(data);
    } catch (e) {
      announce("The sandbox server did not answer. Is `rapidreview serve` still running?");
    } finally {
      state.busy = false;
      if (state.pending) { state.pending = false; refresh(); }
    }
  }

  // -- doing ----------------------------------------------------------------------------------------------
  async function act(message, verb, data) {
    state.focusAfter = message.id;
    const result = await api("/sandbox/api/action", { as: state.as, conversation: state.conversation,
      message: message.id, verb, data, click: clickId() });
    announce(result.text || (result.ok ? "Done." : "That did not work."));
    await refresh();
  }

  async function send(event) {
    event.preventDefault();
    const box = $("composer");
    const text = box.value.trim();
    if (!text) { announce("Type a command such as help, or a message."); return; }
    const result = await api("/sandbox/api/type", { as: state.as, conversation: state.conversation, text });
    if (result.ok || result.hidden) box.value = ""; // a refused command stays, to be corrected
    announce(result.text || "");
    await refresh();
    const last = $("messages").lastElementChild;
    if (last) last.scrollIntoView({ block: "nearest" });
    box.focus();
  }

  async function advanceClock() {
    const b = $("advance");
    b.disabled = true;
    try {
      const result = await api("/sandbox/api/clock", { advance: "next_working_day" });
      announce(result.text || "");
      await refresh();
    } finally {
      b.disabled = false;
    }
  }

  async function start() {
    const info = await api("/sandbox/api/members");
    const select = $("acting-as");
    for (const m of info.members) {
      const o = document.createElement("option");
      o.value = m.key;
      o.textContent = m.label;
      select.appendChild(o);
    }
    const params = new URLSearchParams(window.location.search);
    const keys = info.members.map((m) => m.key);
    const wanted = params.get("as") || recall("sandbox.as");
    state.as = keys.includes(wanted) ? wanted : (keys.includes("bu_officer") ? "bu_officer" : keys[0]);
    state.conversation = params.get("c") || recall("sandbox.conversation." + state.as) || null;
    select.value = state.as;
    select.addEventListener("change", () => {
      state.as = select.value;
      state.conversation = recall("sandbox.conversation." + state.as) || null;
      remember();
      refresh().then(() => {
        const me = state.data && state.data.me;
        if (me) announce("Now acting as " + me.label + ".");
      });
    });
    $("composer-form").addEventListener("submit", send);
    $("composer").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        $("composer-form").requestSubmit();
      }
    });
    $("advance").addEventListener("click", advanceClock);
    await refresh();
    remember();
    const events = new EventSource("/sandbox/api/events?token=" + encodeURIComponent(TOKEN));
    events.addEventListener("change", (e) => {
      const v = JSON.parse(e.data).version;
      if (v !== state.version) refresh();
    });
  }

  start();
})();
