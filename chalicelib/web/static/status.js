// The reporter's status page is rendered by the server from a POST form, so it works
// without JavaScript. This script adds three things: a status link's fragment
// (#ID.RECEIPT, which no server ever sees) fills that form and sends it, then leaves the
// address bar; the follow-up box counts characters; encrypted replies get a copy button.
// Its words come from the page (data-texts), in the page's language.
(function () {
  "use strict";

  var texts = JSON.parse(document.body.getAttribute("data-texts") || "{}");

  function $(id) { return document.getElementById(id); }

  function announce(text) {
    var live = $("vdp-live");
    if (live) live.textContent = text;
  }

  function fromFragment() {
    var fragment = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    var dot = fragment.indexOf(".");
    if (dot < 1) return null;
    return { id: fragment.slice(0, dot), receipt: fragment.slice(dot + 1) };
  }

  function openFromFragment() {
    var given = fromFragment();
    var form = $("vdp-lookup");
    if (!given || !form) return;
    // The receipt leaves the address bar (and the history) before anything is sent.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    $("s-id").value = given.id;
    $("s-receipt").value = given.receipt;
    form.submit();
  }

  function wireCounter() {
    var counter = $("f-message-count");
    var textarea = $("f-message");
    if (!counter || !textarea) return;
    var max = Number(counter.getAttribute("data-max"));
    var lang = document.documentElement.lang || "en";
    var update = function () {
      counter.textContent = (texts.count || "{count} / {max}")
        .replace("{count}", textarea.value.length.toLocaleString(lang))
        .replace("{max}", max.toLocaleString(lang));
    };
    textarea.addEventListener("input", update);
    update();
  }

  // The clipboard where the browser allows it, else the text is selected for Ctrl+C.
  function wireCopy(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = $(button.getAttribute("data-copy"));
      var done = function () {
        announce(texts.copied || "");
        button.textContent = texts.copied_button || button.textContent;
      };
      var select = function () {
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        announce(texts.select || "");
        if (document.execCommand && document.execCommand("copy")) done();
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(target.textContent + "\n").then(done, select);
      } else {
        select();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    openFromFragment();
    wireCounter();
    document.querySelectorAll("button[data-copy]").forEach(wireCopy);
    var problem = $("vdp-errors");
    if (problem) problem.focus();
  });
})();
