// Progress fed by the server's events; without scripts the page refreshes itself instead.
(function () {
  var box = document.getElementById("progress");
  if (!box || !window.EventSource) return;
  var bar = document.getElementById("bar");
  var step = document.getElementById("step");
  var source = new EventSource(box.getAttribute("data-events"));
  source.onmessage = function (event) {
    var data = JSON.parse(event.data);
    bar.max = data.total;
    bar.value = data.done;
    bar.textContent = data.done + " of " + data.total;
    step.textContent = data.step;
    if (data.finished) {
      source.close();
      window.location.assign(box.getAttribute("data-next"));
    }
  };
  source.onerror = function () {
    source.close();
    window.setTimeout(function () { window.location.reload(); }, 2000);
  };
})();
