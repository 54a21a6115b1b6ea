// Sealed evidence: nothing of an image reaches the browser until a reviewer
// reveals it with a reason (an evidence_viewed event, written by the server).
// It then shows greyscale and blurred; a click shows it clearly, another blurs it.
(function () {
  "use strict";
  document.querySelectorAll("form[data-reveal]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var figure = form.closest("[data-evidence]");
      var status = figure.querySelector("[data-reveal-status]");
      status.textContent = "Opening…";
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("the server answered " + response.status); }
          var version = response.headers.get("X-Case-Version");
          if (version) {
            document.querySelectorAll("input[data-version]").forEach(function (input) { input.value = version; });
          }
          return response.blob();
        })
        .then(function (blob) {
          var img = figure.querySelector("img");
          img.src = URL.createObjectURL(blob);
          img.hidden = false;
          status.textContent = "Revealed and logged. Greyscale and blurred: click the image to see it clearly.";
        })
        .catch(function (error) { status.textContent = "Not opened: " + error.message; });
    });
  });
  document.querySelectorAll("[data-evidence] img").forEach(function (img) {
    img.addEventListener("click", function () { img.classList.toggle("revealed"); });
    img.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { img.classList.toggle("revealed"); event.preventDefault(); }
    });
  });
}());
