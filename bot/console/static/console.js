// The queue follows the server's Server-Sent Events: each "queue" event carries the list's HTML.
(function () {
  "use strict";
  var rows = document.getElementById("queue-rows");
  if (!rows || !window.EventSource) { return; }
  var alertBox = document.getElementById("sla-alert");
  var status = document.getElementById("live-status");
  var source = new EventSource("/console/events");
  source.addEventListener("queue", function (event) {
    var data = JSON.parse(event.data);
    rows.innerHTML = data.html;
    if (alertBox) { alertBox.classList.toggle("hidden", data.overdue === 0); }
    var count = document.getElementById("overdue-count");
    if (count) { count.textContent = String(data.overdue); }
    document.title = (data.waiting ? "(" + data.waiting + ") " : "") + "Hàng chờ – Bảng điều khiển";
    if (status) { status.textContent = "Đang cập nhật trực tiếp"; }
  });
  source.onerror = function () {
    if (status) { status.textContent = "Mất kết nối, đang thử lại…"; }
  };
})();
