// The reporter's status page: the receipt comes from the URL fragment (#ID.RECEIPT, never
// sent to a server) or is typed in, and travels only in the Authorization header.
(function () {
  "use strict";

  var STATUS_TEXT = {
    received: "Received", acknowledged: "Acknowledged", triaged: "Triaged",
    accepted: "Accepted as a vulnerability", fixing: "Being fixed", fixed: "Fixed",
    disclosed: "Disclosed", duplicate: "Duplicate of an earlier report",
    informative: "Informative (no fix planned)", not_applicable: "Not applicable",
    out_of_scope: "Out of scope", spam: "Closed as spam", withdrawn: "Withdrawn"
  };
  var current = null;

  function $(id) { return document.getElementById(id); }

  function announce(text) { $("vdp-live").textContent = text; }

  function when(value) {
    var date = new Date(value);
    return isNaN(date) ? String(value) : date.toLocaleString("en", {
      dateStyle: "medium", timeStyle: value.length > 10 ? "short" : undefined
    });
  }

  function fromFragment() {
    var fragment = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    var dot = fragment.indexOf(".");
    if (dot < 1) return null;
    return { id: fragment.slice(0, dot), receipt: fragment.slice(dot + 1) };
  }

  // A reply the team encrypted to the OpenPGP key given with the report: only that key's
  // owner can read it, so it is shown as it came, to copy into their OpenPGP software.
  function armored(item) {
    return item.type === "reply" && /^\s*-----BEGIN PGP MESSAGE-----/.test(item.message || "");
  }

  function entry(item, index) { // index: from map, to name the reply's copy target
    var li = document.createElement("li");
    li.className = "vdp-history-" + item.type;
    var time = document.createElement("time");
    time.dateTime = item.at;
    time.textContent = when(item.at);
    var what = document.createElement("p");
    if (item.type === "status") {
      what.textContent = "Status: " + (STATUS_TEXT[item.status] || item.status);
    } else if (armored(item)) {
      what.textContent = "Reply from the security team, encrypted to your OpenPGP key: copy " +
        "it and decrypt it with your OpenPGP software.";
    } else {
      what.textContent = item.type === "reply" ? "Reply from the security team" : "Your message";
    }
    li.append(time, what);
    if (armored(item)) {
      li.append(armoredText(item.message, "r-reply-" + index), copyButton("r-reply-" + index));
    } else if (item.message) {
      var text = document.createElement("blockquote");
      text.textContent = item.message;
      li.appendChild(text);
    }
    return li;
  }

  function armoredText(message, id) {
    var pre = document.createElement("pre");
    pre.id = id;
    pre.className = "vdp-armored";
    pre.tabIndex = 0; // a region that may scroll sideways: reachable by keyboard
    pre.setAttribute("aria-label", "Encrypted reply");
    pre.style.overflowX = "auto"; // set through the DOM: the page's CSP allows no inline style
    pre.style.maxWidth = "100%";
    pre.textContent = message.trim();
    return pre;
  }

  // As the form's receipt button: the clipboard where the browser allows it, else the text
  // is selected for Ctrl+C.
  function copyButton(targetId) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "vdp-copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the encrypted reply");
    button.addEventListener("click", function () {
      var target = $(targetId);
      var done = function () { announce("Encrypted reply copied."); button.textContent = "Copied"; };
      var select = function () {
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        announce("Encrypted reply selected: press Ctrl+C (or Cmd+C) to copy it.");
        if (document.execCommand && document.execCommand("copy")) done();
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(target.textContent + "\n").then(done, select);
      } else {
        select();
      }
    });
    return button;
  }

  function render(view) {
    $("r-id").textContent = view.report_id;
    $("r-status").textContent = STATUS_TEXT[view.status] || view.status;
    $("r-created").textContent = when(view.created_at);
    $("r-ack").textContent = view.acknowledge_by;
    var history = $("r-history");
    history.replaceChildren.apply(history, (view.history || []).map(entry));
    $("vdp-report").hidden = false;
  }

  function load(id, receipt, focus) {
    announce("Loading your report…");
    return fetch("reports/" + encodeURIComponent(id), {
      headers: { "Authorization": "Bearer " + receipt, "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 404) throw new Error("No report matches this ID and receipt.");
      if (!response.ok) throw new Error("The status could not be loaded; try again later.");
      return response.json();
    }).then(function (view) {
      current = { id: id, receipt: receipt };
      render(view);
      announce("Report " + view.report_id + ": " + (STATUS_TEXT[view.status] || view.status) + ".");
      if (focus) $("r-heading").focus();
    }, function (error) {
      $("vdp-report").hidden = true;
      announce(error.message);
    });
  }

  function send(event) {
    event.preventDefault();
    var textarea = $("f-message");
    var error = $("f-message-error");
    if (error) error.remove();
    textarea.removeAttribute("aria-invalid");
    textarea.setAttribute("aria-describedby", "f-message-hint f-message-count");
    announce("Sending your message…");
    fetch("reports/" + encodeURIComponent(current.id) + "/messages", {
      method: "POST",
      headers: {
        "Authorization": "Bearer " + current.receipt,
        "Content-Type": "application/json",
        "Accept": "application/json"
      },
      body: JSON.stringify({ message: textarea.value })
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.status !== 201) throw answer.error || {};
        textarea.value = "";
        textarea.dispatchEvent(new Event("input"));
        return load(current.id, current.receipt, false).then(function () {
          announce("Your message was sent to the security team.");
        });
      });
    }).catch(function (problem) {
      var note = document.createElement("p");
      note.className = "vdp-error";
      note.id = "f-message-error";
      var field = (problem.fields || [])[0];
      note.textContent = field ? field.message : (problem.message || "The message was not sent.");
      textarea.parentNode.insertBefore(note, textarea);
      textarea.setAttribute("aria-invalid", "true");
      textarea.setAttribute("aria-describedby", "f-message-hint f-message-count f-message-error");
      announce("Your message was not sent.");
      textarea.focus();
    });
  }

  function wireCounter() {
    var counter = $("f-message-count");
    var textarea = $("f-message");
    var update = function () {
      counter.textContent = textarea.value.length.toLocaleString("en") + " of 20,000 characters";
    };
    textarea.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireCounter();
    $("vdp-lookup").addEventListener("submit", function (event) {
      event.preventDefault();
      var id = $("s-id").value.trim().toUpperCase();
      var receipt = $("s-receipt").value.trim();
      if (!id || !receipt) return announce("Enter both the report ID and the receipt.");
      load(id, receipt, true);
    });
    $("vdp-message").addEventListener("submit", send);
    var given = fromFragment();
    if (given) {
      $("s-id").value = given.id;
      $("s-receipt").value = given.receipt;
      load(given.id, given.receipt, true);
    }
  });
})();
