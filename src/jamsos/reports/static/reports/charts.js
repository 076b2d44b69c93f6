// Draws every <canvas data-chart="KEY"> from the JSON in <script id="chart-KEY">
// (json_script, computed on the server). No inline script: the CSP allows only ours.
(function () {
  "use strict";
  function draw() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById("chart-" + canvas.dataset.chart);
      if (!source || canvas.dataset.drawn) return;
      var config = JSON.parse(source.textContent);
      config.options = config.options || {};
      config.options.animation = false;
      config.options.maintainAspectRatio = false;
      new window.Chart(canvas, config);
      canvas.dataset.drawn = "1";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSwap", draw);
})();
