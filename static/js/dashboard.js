// Staff dashboards: draws every <canvas data-chart="ID"> from the JSON that the page put in <script id="ID">
// (Django's json_script). No inline scripts. The JSON: {type, labels, datasets: [{label, data, kind}], percent}.
(() => {
  "use strict";

  const COLOURS = {
    state: "#0d6efd",
    ngo: "#fd7e14",
    partner: "#6f42c1",
    median: "#6c757d",
  };
  const SPARE = ["#198754", "#dc3545", "#20c997", "#0dcaf0", "#ffc107", "#6610f2"];

  function colour(dataset, index) {
    return COLOURS[dataset.kind] || SPARE[index % SPARE.length];
  }

  function draw(canvas) {
    if (typeof window.Chart === "undefined" || window.Chart.getChart(canvas)) {
      return;
    }
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const percent = Boolean(spec.percent);
    const datasets = (spec.datasets || []).map((dataset, index) => ({
      label: dataset.label,
      data: dataset.data,
      backgroundColor: colour(dataset, index),
      borderColor: colour(dataset, index),
      borderWidth: 1,
    }));
    const scale = {
      beginAtZero: true,
      ticks: percent ? { callback: (value) => `${value}%` } : { precision: 0 },
    };
    if (percent) {
      scale.max = 100;
    }
    const options = {
      responsive: true,
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: percent ? { label: (item) => `${item.dataset.label}: ${item.formattedValue}%` } : {},
        },
      },
      scales: { y: scale },
    };
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      options.animation = false;
    }
    new window.Chart(canvas, { type: spec.type || "bar", data: { labels: spec.labels || [], datasets }, options });
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawAll(document));
  } else {
    drawAll(document);
  }
  // Parts of a page that htmx swaps in may carry charts too.
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
  // Charts keep their size when printed.
  window.addEventListener("beforeprint", () => {
    Object.values(window.Chart ? window.Chart.instances : {}).forEach((chart) => chart.resize());
  });
})();
