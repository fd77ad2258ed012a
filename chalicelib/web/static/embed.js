// Embeds the vdp report form in a page:
//   <div id="vdp-form"></div>
//   <script src="https://API/embed.js" data-target="#vdp-form" async></script>
// The iframe's height follows the form: it accepts height messages only from the API's
// origin and only from its own iframe.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) return;
  var formUrl = new URL("form", script.src);
  var apiOrigin = formUrl.origin;

  function mount() {
    var target = document.querySelector(script.getAttribute("data-target") || "#vdp-form");
    if (!target || target.querySelector("iframe.vdp-frame")) return;
    var frame = document.createElement("iframe");
    frame.className = "vdp-frame";
    frame.src = formUrl.href;
    frame.title = script.getAttribute("data-title") || "Vulnerability report form";
    frame.allow = "clipboard-write";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = "1200px";
    window.addEventListener("message", function (event) {
      if (event.origin !== apiOrigin || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!data || data.type !== "vdp:height" || typeof data.height !== "number") return;
      frame.style.height = Math.min(Math.max(Math.ceil(data.height), 200), 20000) + "px";
    });
    target.appendChild(frame);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
