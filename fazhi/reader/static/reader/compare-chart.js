// Loaded as a file, not inline: the Content-Security-Policy allows no inline script.
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var chart = echarts.init(document.getElementById('chart'));
  chart.setOption({
    title: {text: data.metric, left: 'center', textStyle: {fontSize: 14}},
    tooltip: {}, grid: {left: 50, right: 20, bottom: 40},
    xAxis: {type: 'category', data: data.series.map(function (s) { return s[0]; })},
    yAxis: {type: 'value'},
    series: [{type: 'bar', data: data.series.map(function (s) { return s[1]; }), label: {show: true, position: 'top'}}]
  });
  document.getElementById('chart').dataset.drawn = '1';
})();
