/*
 * Dashboard charts: draws every element with data-chart="<id>" with Apache ECharts, from the
 * JSON data island <script type="application/json" id="<id>"> that the server wrote beside it
 * (phaen/dashboards/charts.py, chart_spec). No inline script or style, no eval: the strict
 * Content-Security-Policy holds. The same numbers are in the <table> next to each chart, so
 * without JavaScript (or without this file) nothing is lost.
 *
 * A spec: {kind: "bar" | "stacked" | "target_actual" | "hbar" | "pie", title, categories,
 *          series: [{name, type: "bar" | "line", data: [number | null]}], valueKind, unit,
 *          noData}. null is "not known": it leaves a gap, never a zero.
 */
(function () {
  "use strict";

  var PALETTE = ["#1f4e8c", "#b7791f", "#0e6b63", "#7a3e9d", "#b42318", "#556070", "#3182bd"];
  var TARGET_COLOUR = "#9aa6b5";
  var ACTUAL_COLOUR = "#1f4e8c";
  var charts = [];

  function language() {
    return document.documentElement.getAttribute("lang") || "th";
  }

  function readSpec(id) {
    var island = id && document.getElementById(id);
    if (!island) {
      return null;
    }
    try {
      return JSON.parse(island.textContent);
    } catch (error) {
      return null;
    }
  }

  function numberFormat(options) {
    try {
      return new Intl.NumberFormat(language(), options);
    } catch (error) {
      return new Intl.NumberFormat("en", options);
    }
  }

  /* Text of a value as the table shows it: separators, %, unit; "no data" for null. */
  function formatter(spec) {
    var full = numberFormat({ maximumFractionDigits: 2 });
    return function (value) {
      if (value === null || value === undefined || value === "-" || Number.isNaN(value)) {
        return spec.noData;
      }
      var text = full.format(value);
      if (spec.valueKind === "percent") {
        return text + "%";
      }
      return spec.unit ? text + " " + spec.unit : text;
    };
  }

  /* Axis labels: short forms for large numbers (5 แสนล้าน, 500B). */
  function axisFormatter(spec) {
    var compact = numberFormat({ notation: "compact", maximumFractionDigits: 1 });
    return function (value) {
      var text = Math.abs(value) >= 10000 ? compact.format(value) : numberFormat({}).format(value);
      return spec.valueKind === "percent" ? text + "%" : text;
    };
  }

  function values(data) {
    return data.map(function (value) {
      return value === null || value === undefined ? "-" : value;
    });
  }

  function fewPoints(spec) {
    return spec.categories.length <= 6;
  }

  function seriesOption(spec, entry, index, format) {
    var isLine = entry.type === "line";
    var option = {
      name: entry.name,
      type: isLine ? "line" : "bar",
      data: values(entry.data),
      barMaxWidth: 48,
      emphasis: { focus: "series" },
      label: {
        show: fewPoints(spec) && spec.kind !== "stacked",
        position: spec.kind === "hbar" ? "right" : "top",
        formatter: function (params) {
          return format(params.value);
        }
      }
    };
    if (spec.kind === "stacked") {
      option.stack = "total";
    }
    if (spec.kind === "target_actual") {
      option.itemStyle = { color: isLine ? ACTUAL_COLOUR : TARGET_COLOUR };
      if (isLine) {
        option.symbol = "circle";
        option.symbolSize = 10;
        option.connectNulls = true;
        option.lineStyle = { width: 3 };
      }
    }
    return option;
  }

  function pieOption(spec, format) {
    var entry = spec.series[0] || { data: [] };
    return {
      tooltip: { trigger: "item", renderMode: "richText", valueFormatter: format },
      legend: { type: "scroll", bottom: 0 },
      series: [
        {
          name: entry.name,
          type: "pie",
          radius: ["35%", "65%"],
          data: spec.categories
            .map(function (name, index) {
              return { name: name, value: entry.data[index] };
            })
            .filter(function (item) {
              return item.value !== null && item.value > 0;
            })
        }
      ]
    };
  }

  function option(spec) {
    var format = formatter(spec);
    if (spec.kind === "pie") {
      return pieOption(spec, format);
    }
    var horizontal = spec.kind === "hbar";
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      axisLabel: { hideOverlap: true, width: horizontal ? 220 : 120, overflow: "truncate" }
    };
    var valueAxis = {
      type: "value",
      axisLabel: { formatter: axisFormatter(spec) },
      max: spec.valueKind === "percent" && horizontal ? 100 : null
    };
    return {
      color: PALETTE,
      animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
      textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: format },
      legend: { type: "scroll", top: 0 },
      grid: { left: 12, right: 24, top: 40, bottom: 12 },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (entry, index) {
        return seriesOption(spec, entry, index, format);
      })
    };
  }

  function draw(container) {
    if (container.getAttribute("data-chart-drawn") !== null) {
      return;
    }
    var spec = readSpec(container.getAttribute("data-chart"));
    if (!spec || !window.echarts) {
      return;
    }
    container.setAttribute("data-chart-drawn", "");
    container.classList.add("chart--drawn");
    var chart = window.echarts.init(container, null, { renderer: "canvas" });
    chart.setOption(option(spec));
    charts.push(chart);
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("[data-chart]"), draw);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      charts.forEach(function (chart) {
        if (!chart.isDisposed()) {
          chart.resize();
        }
      });
    }, 150);
  });

  /* A chart inside a closed <details> has no size yet: resize when it opens. */
  document.addEventListener(
    "toggle",
    function () {
      charts.forEach(function (chart) {
        if (!chart.isDisposed()) {
          chart.resize();
        }
      });
    },
    true
  );

  document.addEventListener("htmx:afterSettle", function (event) {
    drawAll(event.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawAll(document);
    });
  } else {
    drawAll(document);
  }
})();
