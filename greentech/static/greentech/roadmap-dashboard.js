/* Roadmap dashboard: status, departments and a timeline (Gantt) of a plan's deliverables, with ECharts. */
(function () {
  function load(id) {
    var value = JSON.parse(document.getElementById(id).textContent);
    return typeof value === "string" ? JSON.parse(value) : value;
  }
  var rows = load("roadmap-rows");
  var labels = load("status-labels");
  var colours = {completed: "#198754", overdue: "#dc3545", delayed: "#ffc107", in_progress: "#0d6efd",
                 not_started: "#6c757d", not_due: "#adb5bd"};
  var hasStatus = rows.length && rows[0].status !== undefined;
  var statuses = Object.keys(labels);

  if (hasStatus) {
    var counts = {};
    rows.forEach(function (r) { counts[r.status] = (counts[r.status] || 0) + 1; });
    echarts.init(document.getElementById("chart-status")).setOption({
      animation: false, tooltip: {trigger: "item"},
      series: [{type: "pie", radius: ["40%", "70%"],
        data: statuses.filter(function (s) { return counts[s]; }).map(function (s) {
          return {name: labels[s], value: counts[s], itemStyle: {color: colours[s]}};
        })}]
    });
  }

  var departments = [];
  rows.forEach(function (r) { r.leads.forEach(function (d) { if (departments.indexOf(d) < 0) departments.push(d); }); });
  var series;
  if (hasStatus) {
    series = statuses.map(function (s) {
      return {name: labels[s], type: "bar", stack: "all", itemStyle: {color: colours[s]},
        data: departments.map(function (d) {
          return rows.filter(function (r) { return r.status === s && r.leads.indexOf(d) >= 0; }).length;
        })};
    });
  } else {
    series = [{type: "bar", itemStyle: {color: "#14683c"},
      data: departments.map(function (d) { return rows.filter(function (r) { return r.leads.indexOf(d) >= 0; }).length; })}];
  }
  echarts.init(document.getElementById("chart-departments")).setOption({
    animation: false, tooltip: {trigger: "axis"}, legend: hasStatus ? {top: 0} : undefined,
    grid: {left: 40, right: 10, top: hasStatus ? 40 : 20, bottom: 90},
    xAxis: {type: "category", data: departments, axisLabel: {rotate: 40, interval: 0}},
    yAxis: {type: "value", minInterval: 1}, series: series
  });

  var years = rows.reduce(function (a, r) { return [Math.min(a[0], r.start), Math.max(a[1], r.end)]; }, [9999, 0]);
  var names = rows.map(function (r) { return r.number + ". " + (r.text.length > 22 ? r.text.slice(0, 22) + "…" : r.text); });
  echarts.init(document.getElementById("chart-timeline")).setOption({
    animation: false,
    tooltip: {formatter: function (p) {
      var r = rows[p.dataIndex];
      return r.number + ". " + r.text + "<br>" + r.start + "–" + r.end + "<br>" + r.leads.join("、") +
        (r.status ? "<br>" + labels[r.status] : "");
    }},
    grid: {left: 260, right: 20, top: 20, bottom: 30},
    xAxis: {type: "value", min: years[0], max: years[1] + 1, interval: 1,
      axisLabel: {formatter: function (v) { return v <= years[1] ? String(v) : ""; }}},
    yAxis: {type: "category", data: names, inverse: true, axisLabel: {fontSize: 11}},
    series: [{type: "custom", encode: {x: [1, 2], y: 0},
      renderItem: function (params, api) {
        var start = api.coord([api.value(1), api.value(0)]);
        var end = api.coord([api.value(2) + 1, api.value(0)]);
        var height = api.size([0, 1])[1] * 0.6;
        return {type: "rect", shape: {x: start[0], y: start[1] - height / 2, width: end[0] - start[0], height: height},
          style: {fill: colours[rows[params.dataIndex].status] || "#14683c"}};
      },
      data: rows.map(function (r, i) { return [i, r.start, r.end]; })}]
  });
})();

/* The innovation index on a map of Liaoning's cities (boundaries from the platform's reference data). */
(function () {
  var element = document.getElementById("chart-index-map");
  if (!element) return;
  var rows = JSON.parse(document.getElementById("index-rows").textContent);
  rows = typeof rows === "string" ? JSON.parse(rows) : rows;
  fetch(window.GREENTECH_MAP_URL).then(function (response) { return response.json(); }).then(function (geo) {
    echarts.registerMap("liaoning", geo);
    var chart = echarts.init(element);
    chart.setOption({
      animation: false,
      tooltip: {trigger: "item", formatter: function (p) {
        var r = rows.filter(function (x) { return x.name === p.name; })[0];
        return r ? p.name + ": " + r.index + "<br>#" + r.rank : p.name;
      }},
      visualMap: {min: 0, max: 100, left: 10, bottom: 10, calculable: true,
        inRange: {color: ["#e8f4ec", "#2f8f5b", "#0b3d22"]}},
      series: [{type: "map", map: "liaoning", roam: false, label: {show: true, fontSize: 10},
        data: rows.map(function (r) { return {name: r.name, value: r.index}; })}]
    });
    element.setAttribute("data-ready", "1");
  });
})();

/* Trends by year: deliverables due against completed (government), reports filed, public figures. */
(function () {
  var element = document.getElementById("chart-trends");
  if (!element) return;
  function load(id) {
    var value = JSON.parse(document.getElementById(id).textContent);
    return typeof value === "string" ? JSON.parse(value) : value;
  }
  var trends = load("trend-rows");
  var labels = load("trend-labels");
  var lines = ["due", "completed"], bars = ["reports", "recognitions", "platforms"];
  var series = [];
  lines.forEach(function (key) {
    if (trends[key]) series.push({name: labels[key], type: "line", data: trends[key], yAxisIndex: 0});
  });
  bars.forEach(function (key) {
    if (trends[key]) series.push({name: labels[key], type: "bar", data: trends[key], yAxisIndex: 1});
  });
  echarts.init(element).setOption({
    animation: false, tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 40, right: 40, top: 50, bottom: 30},
    xAxis: {type: "category", data: trends.years.map(String)},
    yAxis: [{type: "value", minInterval: 1}, {type: "value", minInterval: 1, splitLine: {show: false}}],
    series: series
  });
  element.setAttribute("data-ready", "1");
})();
