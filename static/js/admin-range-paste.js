// A paste saved by the worker: move the progress bar while it runs, show the result when done.
// The page works without this: its "Refresh" link shows the same.
(function () {
  "use strict";
  const section = document.getElementById("range-paste");
  if (!section || section.dataset.finished === "true") {
    return;
  }
  const bar = document.getElementById("range-paste-progress");
  const label = document.querySelector("label[for='range-paste-progress']");
  const url = section.dataset.statusUrl;
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        return response.json();
      })
      .then(function (status) {
        if (status.finished) {
          window.location.reload();
          return;
        }
        bar.value = status.percent;
        bar.textContent = status.percent + " %";
        label.textContent = status.label;
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
