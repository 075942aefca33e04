/* Green patent analytics: by year, category, office, Liaoning city and top applicants, with ECharts. */
(function () {
  var data = JSON.parse(document.getElementById("patent-statistics").textContent);
  var green = "#14683c";
  function bars(id, names, values, horizontal) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var category = {type: "category", data: names, axisLabel: {interval: 0, rotate: horizontal ? 0 : 35, fontSize: 11}};
    var value = {type: "value", minInterval: 1};
    echarts.init(element).setOption({
      animation: false, tooltip: {trigger: "axis"},
      grid: {left: horizontal ? 220 : 50, right: 20, top: 20, bottom: horizontal ? 30 : 90},
      xAxis: horizontal ? value : category, yAxis: horizontal ? Object.assign(category, {inverse: true}) : value,
      series: [{type: "bar", itemStyle: {color: green}, data: values}]
    });
  }
  bars("chart-year", data.by_year.map(function (r) { return String(r.year); }), data.by_year.map(function (r) { return r.count; }));
  bars("chart-category", data.by_category.map(function (r) { return r.label; }), data.by_category.map(function (r) { return r.count; }), true);
  var office = document.getElementById("chart-office");
  if (office) {
    echarts.init(office).setOption({animation: false, tooltip: {trigger: "item"},
      series: [{type: "pie", radius: ["35%", "70%"], data: data.by_office.map(function (r) { return {name: r.label, value: r.count}; })}]});
  }
  bars("chart-city", data.by_city.map(function (r) { return r.city; }), data.by_city.map(function (r) { return r.count; }));
  bars("chart-applicants", data.top_applicants.map(function (r) { return r.name; }), data.top_applicants.map(function (r) { return r.count; }), true);
})();
