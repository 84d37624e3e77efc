// The web chat page. The server issues its identity as an HttpOnly cookie: the page never
// chooses or sees it. Messages are shown as plain text only. A reload shows the conversation
// again (from /api/chat/history); staff messages arrive through the mailbox and carry the
// staff member's name.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
  const send = document.getElementById("send");
  const photo = document.getElementById("photo");
  const FAILED = "Xin lỗi, đã có lỗi xảy ra. Bạn vui lòng thử lại.";
  const OFFLINE = "Không kết nối được máy chủ. Bạn vui lòng kiểm tra mạng và thử lại.";
  const PHOTO_SENT = "Đã gửi một ảnh";
  const STAFF_ROLE = " · Cán bộ tư vấn";
  const POLL_MS = 4000;
  let photoLimit = {max_bytes: Infinity, too_large: FAILED};
  let lastUpdate = 0;

  function add(text, who, sender) {
    const div = document.createElement("div");
    div.className = "msg " + who;
    if (sender) {
      const name = document.createElement("span");
      name.className = "sender";
      name.textContent = sender + STAFF_ROLE;
      div.appendChild(name);
    }
    div.appendChild(document.createTextNode(text));
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function showReply(data) {
    if (data.sender) { add(data.text, "staff", data.sender); } else { add(data.text, "bot"); }
    offer(data.quick_replies);
  }

  function offer(choices) {
    if (!choices || !choices.length) return;
    const row = document.createElement("div");
    row.className = "choices";
    for (const choice of choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = choice;
      button.addEventListener("click", () => { input.value = choice; form.requestSubmit(); });
      row.appendChild(button);
    }
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }

  function messageId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Sends one message (text or photo) and shows the answer in place of a pending bubble.
  async function post(url, options, retry) {
    document.querySelectorAll(".choices").forEach((row) => row.remove());
    send.disabled = true;
    const pending = add("Đang tìm câu trả lời…", "bot pending");
    try {
      const response = await fetch(url, options);
      const data = await response.json();
      pending.remove();
      if (!response.ok) {
        add(data.text || FAILED, "bot");
        retry();  // nothing was sent: keep what the citizen typed
      } else if (data.stored) {
        add("Đã gửi tới cán bộ tư vấn.", "bot");
      } else {
        showReply(data);
      }
    } catch (error) {
      pending.remove();
      add(OFFLINE, "bot");
      retry();
    }
    send.disabled = false;
    input.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) { input.focus(); return; }
    add(text, "user");
    input.value = "";
    await post("/api/chat", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({text, message_id: messageId()}),
    }, () => { input.value = text; });
  });

  photo.addEventListener("change", async () => {
    const file = photo.files[0];
    photo.value = "";
    if (!file) return;
    if (file.size > photoLimit.max_bytes) { add(photoLimit.too_large, "bot"); return; }
    add(PHOTO_SENT, "user photo-sent");
    await post(`/api/chat/photo?id=${messageId()}`, {
      method: "POST",
      headers: {"Content-Type": file.type || "application/octet-stream"},
      body: file,
    }, () => {});
  });

  // Messages from staff arrive later: fetch what is new every few seconds.
  async function fetchUpdates() {
    try {
      const response = await fetch(`/api/chat/updates?after=${lastUpdate}`);
      if (!response.ok) return;
      for (const message of (await response.json()).messages) {
        showReply(message);
        lastUpdate = message.id;
      }
    } catch (error) { /* offline: try again later */ }
  }

  // After a reload: the conversation so far, then only what is new.
  async function restore() {
    try {
      const response = await fetch("/api/chat/history");
      if (response.ok) {
        const data = await response.json();
        photoLimit = data.photos;
        lastUpdate = data.after;
        for (const message of data.messages) {
          if (message.photo) { add(PHOTO_SENT, "user photo-sent"); }
          else if (message.who === "citizen") { add(message.text, "user"); }
          else if (message.who === "staff") { add(message.text, "staff", message.sender); }
          else { add(message.text, "bot"); }
        }
        offer(data.quick_replies);
      }
    } catch (error) { /* offline: the mailbox catches up later */ }
    setInterval(fetchUpdates, POLL_MS);
    fetchUpdates();
  }
  restore();

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
})();
