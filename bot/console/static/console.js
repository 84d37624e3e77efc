// The console without page loads. Everything here improves pages that work without it: forms
// still post and links still open when the script is off.
//  - The queue follows /console/events (Server-Sent Events): its rows, the filter counts, the SLA
//    alert; a new handoff rings and shows a desktop notification (once staff allow it).
//  - A conversation follows its own event stream: new citizen messages, delivery statuses and a
//    colleague's changes arrive in place, drafts and focus kept.
//  - Its forms (claim, reply, note, case file, transfer, resolve…) are sent with fetch; the
//    server answers with the page's parts re-rendered.
//  - On a wide screen the queue opens conversations beside it; «Nhận» claims and opens one with
//    the reply box focused.
(function () {
  "use strict";

  const FETCH_HEADER = "X-Console-Fetch";
  const WIDE = window.matchMedia("(min-width: 1000px)");
  const AT_BOTTOM_PX = 80;
  const TOAST_MS = 4000;
  const OFFLINE = "Không kết nối được máy chủ. Vui lòng thử lại.";
  const LIVE = "Đang cập nhật trực tiếp";
  const RECONNECTING = "Mất kết nối, đang thử lại…";
  const NOTIFY_KEY = "console-notify";

  const toast = document.getElementById("toast");
  let toastTimer = 0;

  function say(text, isError) {
    if (!toast || !text) { return; }
    toast.textContent = text;
    toast.classList.toggle("error", Boolean(isError));
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, TOAST_MS);
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
  }

  // ---- Sound and desktop notifications -------------------------------------------------------
  const notifyButton = document.getElementById("notify");
  let audio = null;

  function notifying() { return localStorage.getItem(NOTIFY_KEY) === "on"; }

  function showNotifyState() {
    if (!notifyButton) { return; }
    notifyButton.hidden = false;
    notifyButton.textContent = notifying() ? "Chuông báo: đang bật" : "Bật chuông báo";
    notifyButton.setAttribute("aria-pressed", notifying() ? "true" : "false");
  }

  function ring() {
    if (!audio) { return; }
    const now = audio.currentTime;
    [0, 0.18].forEach(function (delay, index) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = index ? 988 : 784;
      gain.gain.setValueAtTime(0.2, now + delay);
      gain.gain.exponentialRampToValueAtTime(0.001, now + delay + 0.16);
      tone.connect(gain).connect(audio.destination);
      tone.start(now + delay);
      tone.stop(now + delay + 0.17);
    });
  }

  function announce(count) {
    if (!notifying()) { return; }
    ring();
    if (window.Notification && Notification.permission === "granted") {
      const text = count > 1 ? count + " người dân mới đang chờ cán bộ." : "Một người dân mới đang chờ cán bộ.";
      const note = new Notification("Hàng chờ cán bộ", {body: text, tag: "console-handoff"});
      note.onclick = function () { window.focus(); location.href = "/console/?view=waiting"; };
    }
  }

  if (notifyButton) {
    showNotifyState();
    notifyButton.addEventListener("click", function () {
      const on = !notifying();
      localStorage.setItem(NOTIFY_KEY, on ? "on" : "off");
      if (on) {
        audio = audio || new AudioContext();
        audio.resume();
        if (window.Notification && Notification.permission === "default") {
          Notification.requestPermission();
        }
        ring();
      }
      showNotifyState();
    });
    // Browsers start sound only after a gesture on the page.
    document.addEventListener("pointerdown", function () {
      if (notifying() && !audio) { audio = new AudioContext(); }
    }, {once: true});
  }

  // ---- Swapping parts of a page in place, keeping what staff were doing ---------------------
  function fieldsOf(region) {
    return Array.from(region.querySelectorAll("input[id], textarea[id], select[id]"));
  }

  function dirty(field) {
    if (field.type === "checkbox") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") {
      return Array.from(field.options).some(function (o) { return o.selected !== o.defaultSelected; });
    }
    return field.value !== field.defaultValue;
  }

  function swap(region, html) {
    const kept = fieldsOf(region).filter(dirty).map(function (field) {
      return {id: field.id, value: field.value, checked: field.checked};
    });
    const active = region.contains(document.activeElement) ? document.activeElement : null;
    const focus = active && active.id ? {
      id: active.id, start: active.selectionStart, end: active.selectionEnd,
    } : null;
    const open = Array.from(region.querySelectorAll("details")).map(function (d) { return d.open; });
    region.innerHTML = html;
    kept.forEach(function (saved) {
      const field = document.getElementById(saved.id);
      if (!field || !region.contains(field)) { return; }
      if (field.type === "checkbox") { field.checked = saved.checked; } else { field.value = saved.value; }
    });
    Array.from(region.querySelectorAll("details")).forEach(function (d, index) {
      if (open[index]) { d.open = true; }
    });
    if (focus) {
      const field = document.getElementById(focus.id);
      if (field && region.contains(field)) {
        field.focus();
        if (typeof focus.start === "number" && field.setSelectionRange) {
          field.setSelectionRange(focus.start, focus.end);
        }
      }
    }
  }

  // ---- A conversation ---------------------------------------------------------------------
  function initConversation(root) {
    const scroller = root.querySelector(".conv-scroll");

    function atBottom() {
      // The transcript is laid out bottom-up (column-reverse): 0 is the newest message.
      return !scroller || Math.abs(scroller.scrollTop) < AT_BOTTOM_PX;
    }

    // Only parts whose digest changed are replaced.
    function apply(regions, digests) {
      const follow = atBottom();
      Object.keys(regions).forEach(function (name) {
        const region = root.querySelector('[data-region="' + name + '"]');
        if (!region || region.dataset.digest === digests[name]) { return; }
        region.dataset.digest = digests[name];
        swap(region, regions[name]);
      });
      if (follow && scroller) { scroller.scrollTop = 0; }
    }

    const source = window.EventSource ? new EventSource(root.dataset.events) : null;
    if (source) {
      source.addEventListener("regions", function (event) {
        const data = JSON.parse(event.data);
        apply(data.regions, data.digests);
      });
    }
    root.stop = function () { if (source) { source.close(); } };

    root.addEventListener("submit", async function (event) {
      const form = event.target;
      if (!form.hasAttribute("data-fetch")) { return; }
      event.preventDefault();
      const buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      try {
        const response = await fetch(form.action, {
          method: "POST",
          headers: {[FETCH_HEADER]: "1"},
          body: new URLSearchParams(new FormData(form)),
        });
        const data = await response.json();
        if (!data.error && form.dataset.clear) {
          const cleared = document.getElementById(form.dataset.clear);
          if (cleared) { cleared.value = ""; }
        }
        say(data.notice, data.error);
        if (data.regions) { apply(data.regions, data.digests); }
        if (!data.error && form.dataset.thenFocus) {
          const next = document.getElementById(form.dataset.thenFocus);
          if (next) { next.focus(); }
        }
        if (!data.error && scroller) { scroller.scrollTop = 0; }
      } catch (error) {
        say(OFFLINE, true);
      } finally {
        buttons.forEach(function (b) { b.disabled = false; });
      }
    });

    root.addEventListener("keydown", function (event) {
      if (event.target.id !== "reply") { return; }
      if (cannedKeys(event)) { return; }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        event.target.form.requestSubmit();
      }
    });
    root.addEventListener("input", function (event) {
      if (event.target.id === "reply") { cannedFor(event.target); }
    });
    root.addEventListener("click", function (event) {
      const item = event.target.closest(".canned-item, .canned-option");
      if (!item) { return; }
      const reply = document.getElementById("reply");
      if (!reply) { return; }
      if (item.classList.contains("canned-option")) { choose(reply, item.dataset.text); return; }
      insertAtCursor(reply, item.dataset.text);
      const details = item.closest("details");
      if (details) { details.open = false; }
    });

    // Canned replies: «/» opens the list filtered by what follows it; the chosen reply takes the
    // place of «/…» only, never of the draft around it.
    let highlighted = 0;

    function menu() { return document.getElementById("canned-menu"); }

    function slashQuery(reply) {
      const before = reply.value.slice(0, reply.selectionStart);
      const found = before.match(/(?:^|\s)\/([^\s/]*)$/);
      return found ? found[1] : null;
    }

    function cannedFor(reply) {
      const list = menu();
      if (!list) { return; }
      const query = slashQuery(reply);
      if (query === null) { list.hidden = true; return; }
      const wanted = fold(query);
      const items = Array.from(root.querySelectorAll(".canned-item")).filter(function (item) {
        return fold(item.dataset.title + " " + item.dataset.text).includes(wanted);
      });
      list.replaceChildren.apply(list, items.map(function (item, index) {
        const option = document.createElement("li");
        option.className = "canned-option" + (index === 0 ? " active" : "");
        option.setAttribute("role", "option");
        option.dataset.text = item.dataset.text;
        const title = document.createElement("strong");
        title.textContent = item.dataset.title;
        const text = document.createElement("span");
        text.textContent = " " + item.dataset.text;
        option.append(title, text);
        return option;
      }));
      highlighted = 0;
      list.hidden = items.length === 0;
    }

    function cannedKeys(event) {
      const list = menu();
      if (!list || list.hidden) { return false; }
      const options = list.querySelectorAll(".canned-option");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        highlighted = (highlighted + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
        options.forEach(function (o, i) { o.classList.toggle("active", i === highlighted); });
      } else if (event.key === "Enter" || event.key === "Tab") {
        choose(event.target, options[highlighted].dataset.text);
      } else if (event.key === "Escape") {
        list.hidden = true;
      } else {
        return false;
      }
      event.preventDefault();
      return true;
    }

    function choose(reply, text) {
      const end = reply.selectionStart;
      const start = reply.value.slice(0, end).lastIndexOf("/");
      reply.setRangeText(text, start, end, "end");
      menu().hidden = true;
      reply.focus();
    }

    function insertAtCursor(reply, text) {
      const at = reply.selectionEnd;
      const before = reply.value.slice(0, at);
      const gap = before && !/\s$/.test(before) ? " " : "";
      reply.setRangeText(gap + text, at, at, "end");
      reply.focus();
    }

    return root;
  }

  // ---- The queue, and the pane beside it -----------------------------------------------------
  const rows = document.getElementById("queue-rows");
  const pane = document.getElementById("pane");
  const status = document.getElementById("live-status");
  let current = document.querySelector(".conversation");
  if (current) { initConversation(current); }

  function markOpen(id) {
    if (!rows) { return; }
    rows.querySelectorAll(".qrow").forEach(function (row) {
      row.classList.toggle("selected", row.dataset.conversation === String(id));
    });
  }

  async function openInPane(id, focusId) {
    const response = await fetch("/console/conversations/" + id + "?pane=1", {headers: {[FETCH_HEADER]: "1"}});
    if (!response.ok) { say(OFFLINE, true); return; }
    if (current && current.stop) { current.stop(); }
    pane.innerHTML = await response.text();
    current = initConversation(pane.querySelector(".conversation"));
    markOpen(id);
    const focus = document.getElementById(focusId || "reply");
    if (focus) { focus.focus(); }
  }

  const next = document.getElementById("claim-next-form");
  if (next && pane) {
    next.addEventListener("submit", async function (event) {
      if (!WIDE.matches) { return; }
      event.preventDefault();
      try {
        const response = await fetch(next.action, {
          method: "POST", headers: {[FETCH_HEADER]: "1"}, body: new URLSearchParams(new FormData(next)),
        });
        const data = await response.json();
        say(data.notice, data.error);
        if (data.conversation_id) { await openInPane(data.conversation_id); }
      } catch (error) {
        say(OFFLINE, true);
      }
    });
  }

  if (rows && pane) {
    rows.addEventListener("click", function (event) {
      const link = event.target.closest("a.open");
      if (!link || !WIDE.matches || event.ctrlKey || event.metaKey) { return; }
      event.preventDefault();
      openInPane(link.closest(".qrow").dataset.conversation);
    });
    rows.addEventListener("submit", async function (event) {
      const form = event.target;
      if (!form.dataset.claim || !WIDE.matches) { return; }
      event.preventDefault();
      try {
        const response = await fetch(form.action, {
          method: "POST", headers: {[FETCH_HEADER]: "1"}, body: new URLSearchParams(new FormData(form)),
        });
        const data = await response.json();
        say(data.notice, data.error);
        await openInPane(form.dataset.claim);
      } catch (error) {
        say(OFFLINE, true);
      }
    });
  }

  const live = document.body.dataset.liveQueue;
  if (live && window.EventSource) {
    const view = rows ? rows.dataset.view : "";
    const source = new EventSource(live + (view ? "?view=" + encodeURIComponent(view) : ""));
    const alertBox = document.getElementById("sla-alert");
    let known = null;
    source.addEventListener("queue", function (event) {
      const data = JSON.parse(event.data);
      if (rows) {
        rows.innerHTML = data.html;
        if (current) { markOpen(current.dataset.conversation); }
      }
      Object.keys(data.counts).forEach(function (name) {
        const count = document.querySelector('[data-count="' + name + '"]');
        if (count) { count.textContent = String(data.counts[name]); }
      });
      if (alertBox) { alertBox.classList.toggle("hidden", data.overdue === 0); }
      const overdue = document.getElementById("overdue-count");
      if (overdue) { overdue.textContent = String(data.overdue); }
      const fresh = known === null ? [] : data.waiting_ids.filter(function (id) { return !known.has(id); });
      known = new Set(data.waiting_ids);
      if (fresh.length) { announce(fresh.length); }
      const title = document.title.replace(/^\(\d+\) /, "");
      document.title = (data.waiting ? "(" + data.waiting + ") " : "") + title;
      if (status) { status.textContent = LIVE; }
    });
    source.onerror = function () { if (status) { status.textContent = RECONNECTING; } };
  }
})();
