/* Market statistics: offers, needs, deals and contract value by city, category and month (ECharts). */
(function () {
  function load(id) {
    var value = JSON.parse(document.getElementById(id).textContent);
    return typeof value === "string" ? JSON.parse(value) : value;
  }
  var figures = load("market-figures");
  var labels = load("market-labels");
  var english = labels.lang && labels.lang.indexOf("en") === 0;

  function chart(id, rows, names) {
    var element = document.getElementById(id);
    if (!element) return;
    echarts.init(element).setOption({
      animation: false,
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 50, right: 60, top: 40, bottom: 70},
      xAxis: {type: "category", data: names, axisLabel: {rotate: names.length > 8 ? 35 : 0, interval: 0}},
      yAxis: [{type: "value", minInterval: 1}, {type: "value", name: labels.value, position: "right"}],
      series: [
        {name: labels.offers, type: "bar", itemStyle: {color: "#14683c"}, data: rows.map(function (r) { return r.offers; })},
        {name: labels.needs, type: "bar", itemStyle: {color: "#6c9a3f"}, data: rows.map(function (r) { return r.needs; })},
        {name: labels.deals, type: "bar", itemStyle: {color: "#0d6efd"}, data: rows.map(function (r) { return r.deals; })},
        {name: labels.value, type: "bar", yAxisIndex: 1, itemStyle: {color: "#dc7d00", opacity: 0.75},
         data: rows.map(function (r) { return Number(r.contract_value); })}
      ]
    });
  }
  chart("chart-cities", figures.cities, figures.cities.map(function (r) { return r.label; }));
  chart("chart-categories", figures.categories, figures.categories.map(function (r) {
    return r.key + " " + (english && r.label_en ? r.label_en : r.label);
  }));
  chart("chart-months", figures.months, figures.months.map(function (r) { return r.key; }));
})();
