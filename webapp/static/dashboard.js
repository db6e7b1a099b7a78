/* The dashboard's charts, drawn with the vendored ECharts from the data the server embeds
 * (#dashboard-data): every label arrives translated, so nothing here needs a language.
 * Each chart also exists as a table in its card, for reading exact values and for screen readers.
 * Clicking a bar or point opens the case list filtered to it (each series carries its `links`).
 * Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips write style="..."
 * markup, which the Content-Security-Policy (style-src 'self', see config.py) refuses. */
(function () {
  "use strict";

  var COLOURS = {
    on_time: "#2d5b8c", overdue: "#dc3545", running: "#0d6efd", suspended: "#ffc107", error: "#d63384",
    completed: "#198754", terminated: "#6c757d", withdrawn: "#343a40"
  };
  var PALETTE = ["#2d5b8c", "#f0ad4e", "#198754", "#dc3545", "#6f42c1", "#20c997"];

  function series(list, type, extra) {
    return list.map(function (s) {
      var item = { name: s.name, type: type, data: s.data, emphasis: { focus: "series" } };
      if (s.stack) { item.stack = s.stack; }
      if (s.key && COLOURS[s.key]) { item.itemStyle = { color: COLOURS[s.key] }; }
      return Object.assign(item, extra || {});
    });
  }

  function base(data) {
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true }
    };
  }

  function bars(data, horizontal, unit) {
    var option = base(data);
    var category = { type: "category", data: data.labels, axisLabel: { width: horizontal ? 180 : 90, overflow: "truncate", interval: 0, rotate: horizontal ? 0 : (data.labels.length > 5 ? 30 : 0) } };
    var value = { type: "value", name: unit || "", minInterval: unit ? 0 : 1 };
    if (horizontal) {
      category.inverse = true;
      option.xAxis = value;
      option.yAxis = category;
    } else {
      option.xAxis = category;
      option.yAxis = value;
    }
    option.series = series(data.series, "bar", { barMaxWidth: 36 });
    return option;
  }

  var BUILDERS = {
    open_by_role: function (d) { return bars(d, true); },
    open_by_store: function (d) { return bars(d, true); },
    by_status: function (d) { return bars(d, false); },
    cycle_times: function (d) { return bars(d, false, d.unit); },
    step_times: function (d) { return bars(d, true, d.unit); },
    sla: function (d) {
      var option = bars(d, true, d.unit);
      option.xAxis.max = 100;
      option.series[0].itemStyle = { color: function (p) { return p.value >= 90 ? "#198754" : p.value >= 70 ? "#f0ad4e" : "#dc3545"; } };
      option.series[0].label = { show: true, position: "right", formatter: "{c}%" };
      return option;
    },
    weekly: function (d) {
      var option = base(d);
      option.tooltip = { trigger: "axis", confine: true, renderMode: "richText" };
      option.xAxis = { type: "category", data: d.labels, boundaryGap: false };
      option.yAxis = { type: "value", minInterval: 1 };
      option.series = series(d.series, "line", { smooth: true, showSymbol: d.labels.length < 30 });
      return option;
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (node) {
      var key = node.dataset.chart;
      var chartData = data[key];
      if (!chartData || !BUILDERS[key]) { return; }
      if (!chartData.labels.length) {
        node.classList.add("d-none");
        return;
      }
      if (key === "step_times" || key === "sla" || key === "open_by_store" || key === "open_by_role") {
        node.style.height = Math.max(220, 60 + 28 * chartData.labels.length) + "px";
      }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(BUILDERS[key](chartData));
      // a bar or point leads to the case list filtered to it (the server built the links)
      chart.on("click", function (p) {
        var picked = chartData.series[p.seriesIndex];
        var link = picked && picked.links && picked.links[p.dataIndex];
        if (link) { window.location.assign(link); }
      });
      if (chartData.series.some(function (s) { return s.links; })) { node.classList.add("drillable"); }
      node.dataset.rendered = "true";
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  });
}());
