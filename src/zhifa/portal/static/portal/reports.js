/* Annual reports: one horizontal bar chart per chart table, drawn with ECharts from the
   figures the page embeds (#report-charts). The tables next to them hold the same figures and
   are what assistive technology reads; without JavaScript the charts simply stay hidden. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("report-charts");
    if (!source || typeof window.echarts === "undefined") return;
    var charts;
    try {
      charts = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var drawn = [];
    charts.forEach(function (c) {
      var box = document.querySelector('[data-chart="' + c.key + '"]');
      if (!box) return;
      box.hidden = false;
      box.style.height = (40 + c.labels.length * 30) + "px";
      var chart = window.echarts.init(box, null, { renderer: "svg" });
      chart.setOption({
        animation: !still,
        aria: { enabled: false },
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#e3e6eb" } } },
        yAxis: { type: "category", inverse: true, data: c.labels,
                 axisLabel: { width: 180, overflow: "truncate" } },
        series: [{ type: "bar", name: c.title, data: c.values, barMaxWidth: 22,
                   itemStyle: { color: "#9b1c1c" }, label: { show: true, position: "right" } }]
      });
      drawn.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        drawn.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
