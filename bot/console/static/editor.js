// The guidance editor: a citation picker that offers only units of the law, and length counters.
(function () {
  "use strict";
  var pickDoc = document.getElementById("pick-doc");
  var pickUnit = document.getElementById("pick-unit");
  var add = document.getElementById("add-citation");
  var citations = document.getElementById("citations");
  if (pickDoc && pickUnit && add && citations) {
    pickDoc.addEventListener("change", function () {
      pickUnit.innerHTML = "";
      if (!pickDoc.value) { return; }
      fetch("/console/editor/units?doc=" + encodeURIComponent(pickDoc.value), {credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (data) {
          data.units.forEach(function (unit) {
            var option = document.createElement("option");
            option.value = unit.id;
            option.textContent = unit.label;
            pickUnit.appendChild(option);
          });
        });
    });
    add.addEventListener("click", function () {
      if (!pickUnit.value) { return; }
      var lines = citations.value.split("\n").filter(function (line) { return line.trim(); });
      if (lines.indexOf(pickUnit.value) < 0) { lines.push(pickUnit.value); }
      citations.value = lines.join("\n");
    });
  }
  document.querySelectorAll(".counter").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-for"));
    var max = parseInt(counter.getAttribute("data-max"), 10);
    if (!field) { return; }
    var update = function () {
      counter.textContent = field.value.length + "/" + max + " ký tự";
      counter.classList.toggle("over", field.value.length > max);
    };
    field.addEventListener("input", update);
    update();
  });
})();
