// The web chat page. The server issues its identity as an HttpOnly cookie: the page never
// chooses or sees it. Messages are shown as plain text only.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
  const send = document.getElementById("send");
  const FAILED = "Xin lỗi, đã có lỗi xảy ra. Bạn vui lòng thử lại.";
  const OFFLINE = "Không kết nối được máy chủ. Bạn vui lòng kiểm tra mạng và thử lại.";

  function add(text, who) {
    const div = document.createElement("div");
    div.className = "msg " + who;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
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

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) { input.focus(); return; }
    document.querySelectorAll(".choices").forEach((row) => row.remove());
    add(text, "user");
    input.value = "";
    send.disabled = true;
    const pending = add("Đang tìm câu trả lời…", "bot pending");
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({text, message_id: messageId()}),
      });
      const data = await response.json();
      if (!response.ok) {
        pending.textContent = data.text || FAILED;
        input.value = text;  // nothing was sent: keep what the citizen typed
      } else if (data.stored) {
        pending.textContent = "Đã gửi tới cán bộ tư vấn.";
      } else {
        pending.textContent = data.text || FAILED;
        offer(data.quick_replies);
      }
    } catch (error) {
      pending.textContent = OFFLINE;
      input.value = text;
    }
    pending.className = "msg bot";
    send.disabled = false;
    input.focus();
  });

  // Messages from staff arrive later: fetch what is new every few seconds.
  let lastUpdate = Number(localStorage.getItem("chat-last-update") || 0);
  async function fetchUpdates() {
    try {
      const response = await fetch(`/api/chat/updates?after=${lastUpdate}`);
      if (!response.ok) return;
      for (const message of (await response.json()).messages) {
        add(message.text, "bot");
        offer(message.quick_replies);
        lastUpdate = message.id;
      }
      localStorage.setItem("chat-last-update", String(lastUpdate));
    } catch (error) { /* offline: try again later */ }
  }
  setInterval(fetchUpdates, 4000);
  fetchUpdates();

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
})();
