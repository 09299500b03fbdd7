/*
 * Draw an indicator's target and approved result per fiscal year with ECharts.
 *
 *   <div data-kpi-chart="ID"></div>  the chart's place; ID names the JSON data island
 *   {{ chart|json_script:"ID" }}     {"years": [...], "target": [...], "actual": [...],
 *                                     "unit": "...", "labels": {"target", "actual", "year"}}
 *
 * The page shows the same figures in a table, so without JavaScript (or ECharts) nothing is
 * lost. No inline script or style: sizes are set through the DOM, which the CSP allows.
 */
(function () {
  "use strict";

  function readData(id) {
    var island = document.getElementById(id);
    if (!island) {
      return null;
    }
    try {
      return JSON.parse(island.textContent || "null");
    } catch (error) {
      return null;
    }
  }

  function draw(element) {
    var data = readData(element.getAttribute("data-kpi-chart"));
    if (!data || !window.echarts || !data.years || !data.years.length) {
      return;
    }
    element.style.width = "100%";
    element.style.height = "340px";
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    var unit = data.unit ? " " + data.unit : "";
    chart.setOption({
      animation: !reduced,
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) {
          return value === null || value === undefined ? "—" : Number(value).toLocaleString() + unit;
        }
      },
      legend: { data: [data.labels.target, data.labels.actual], bottom: 0 },
      grid: { left: 56, right: 16, top: 24, bottom: 84 },
      xAxis: { type: "category", name: data.labels.year, nameLocation: "middle", nameGap: 28, data: data.years },
      yAxis: { type: "value", name: data.unit || "" },
      series: [
        {
          name: data.labels.actual,
          type: "bar",
          data: data.actual,
          itemStyle: { color: "#1f6f8b" }
        },
        {
          name: data.labels.target,
          type: "line",
          data: data.target,
          connectNulls: true,
          symbol: "diamond",
          symbolSize: 9,
          lineStyle: { type: "dashed", width: 2 },
          itemStyle: { color: "#b5651d" }
        }
      ]
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function start() {
    var charts = document.querySelectorAll("[data-kpi-chart]");
    for (var i = 0; i < charts.length; i++) {
      draw(charts[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
