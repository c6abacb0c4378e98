// Loaded as a file, not inline: the Content-Security-Policy allows no inline script.
(function () {
  var el = document.getElementById("trend-chart");
  var data = JSON.parse(el.dataset.chart);
  var chart = echarts.init(el);
  chart.setOption({
    animation: false, tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {top: 40, left: 50, right: 20, bottom: 30},
    xAxis: {type: "category", data: data.months}, yAxis: {type: "value", name: "件"},
    series: data.series.map(function (s) { return {name: s.name, type: "line", data: s.data, connectNulls: false}; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.rendered = "1";
})();
