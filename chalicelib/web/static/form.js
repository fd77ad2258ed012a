// The report form, enhanced: JSON submission with an Idempotency-Key, field errors from
// the 422 list, character counters, the receipt with a copy button, and the iframe height
// posted to the embedding page (only to the policy's allowed origins).
(function () {
  "use strict";

  var BOOLEANS = ["policy_accepted", "bounty_interest", "credit.wants_credit", "reporter.email_updates"];
  var idempotencyKey = newKey();

  // The page's key is valid (the server made it): refused, it was used for other content.
  function keyReused(error) {
    return Boolean(error && error.fields && error.fields.some(function (problem) {
      return problem.field === "Idempotency-Key";
    }));
  }

  // The page's own key (the no-JavaScript post sends it too), else one for this page view.
  function formKey(form) {
    var carried = form.querySelector('input[name="idempotency_key"]');
    return carried && carried.value ? carried.value : idempotencyKey;
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function controlId(name) {
    return "f-" + name.replace(/[._]/g, "-");
  }

  // --- character counters --------------------------------------------------------------
  function wireCounters(root) {
    root.querySelectorAll(".vdp-count[data-max]").forEach(function (counter) {
      var control = document.getElementById(counter.id.replace(/-count$/, ""));
      if (!control) return;
      var max = Number(counter.getAttribute("data-max"));
      var update = function () {
        counter.textContent = control.value.length.toLocaleString("en") + " of " +
          max.toLocaleString("en") + " characters";
      };
      control.addEventListener("input", update);
      update();
    });
  }

  // --- building the JSON body --------------------------------------------------------------
  function isEmpty(object) {
    // The "email me" box, ticked by default, does not make the reporter known.
    return Object.keys(object).every(function (key) {
      return object[key] === false || object[key] === "" || key === "email_updates";
    });
  }

  function collect(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "file" || element.type === "submit") return;
      if (element.name === "idempotency_key") return;  // sent as the Idempotency-Key header
      var value = element.type === "checkbox" ? element.checked : element.value.trim();
      var path = element.name.split(".");
      var target = fields;
      if (path.length === 2) target = fields[path[0]] = fields[path[0]] || {};
      target[path[path.length - 1]] = value;
    });
    Object.keys(fields).forEach(function (key) {
      var value = fields[key];
      if (value === "" || (typeof value === "object" && isEmpty(value))) delete fields[key];
    });
    BOOLEANS.forEach(function (name) {
      if (name.indexOf(".") < 0 && !(name in fields)) fields[name] = false;
    });
    return fields;
  }

  function base64(buffer) {
    var bytes = new Uint8Array(buffer);
    var chunks = [];
    for (var i = 0; i < bytes.length; i += 0x8000) {
      chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    }
    return window.btoa(chunks.join(""));
  }

  function attachments(form) {
    var input = form.querySelector('input[type="file"][name="attachments"]');
    var files = input ? Array.prototype.slice.call(input.files) : [];
    var maxFiles = Number(form.getAttribute("data-max-attachments"));
    var maxBytes = Number(form.getAttribute("data-max-bytes"));
    var total = files.reduce(function (sum, file) { return sum + file.size; }, 0);
    if (files.length > maxFiles) return Promise.reject(tooMany("at most " + maxFiles + " files"));
    if (total > maxBytes) return Promise.reject(tooMany("at most " + maxBytes + " bytes in total"));
    return Promise.all(files.map(function (file) {
      return file.arrayBuffer().then(function (buffer) {
        return {
          filename: file.name,
          content_type: file.type || "application/octet-stream",
          data: base64(buffer)
        };
      });
    }));
  }

  function tooMany(message) {
    return {
      code: "validation_failed",
      message: "Some fields are missing or invalid.",
      fields: [{ field: "attachments", message: message }]
    };
  }

  // --- errors -------------------------------------------------------------------------------
  function clearErrors(form) {
    var summary = document.getElementById("vdp-errors");
    if (summary) summary.remove();
    form.querySelectorAll(".vdp-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (control) {
      control.removeAttribute("aria-invalid");
      var ids = (control.getAttribute("aria-describedby") || "").split(" ");
      control.setAttribute("aria-describedby", ids.filter(function (id) {
        return id && !/-error$/.test(id);
      }).join(" "));
    });
  }

  function controlFor(form, field) {
    var path = field.split(".");
    while (path.length) {
      var control = document.getElementById(controlId(path.join(".")));
      if (control && form.contains(control)) return control;
      path.pop();
    }
    return null;
  }

  function showErrors(form, error) {
    clearErrors(form);
    var summary = document.createElement("div");
    summary.id = "vdp-errors";
    summary.className = "vdp-errors";
    summary.setAttribute("role", "alert");
    summary.tabIndex = -1;
    var heading = document.createElement("h2");
    heading.textContent = "Your report was not sent";
    var text = document.createElement("p");
    text.textContent = error.message || "Something went wrong; please try again.";
    var list = document.createElement("ul");
    summary.append(heading, text, list);
    (error.fields || []).forEach(function (problem) {
      var control = controlFor(form, problem.field);
      var item = document.createElement("li");
      var link = document.createElement(control ? "a" : "span");
      link.textContent = problem.field + ": " + problem.message;
      item.appendChild(link);
      list.appendChild(item);
      if (!control) return;
      link.href = "#" + control.id;
      if (control.getAttribute("aria-invalid")) return;
      var note = document.createElement("p");
      note.className = "vdp-error";
      note.id = control.id + "-error";
      note.textContent = problem.message;
      control.parentNode.insertBefore(note, control);
      control.setAttribute("aria-invalid", "true");
      var described = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", ((described || "") + " " + note.id).trim());
    });
    form.parentNode.insertBefore(summary, form);
    summary.focus();
  }

  // --- the receipt ------------------------------------------------------------------------
  function fact(list, term, value, id) {
    var dt = document.createElement("dt");
    dt.textContent = term;
    var dd = document.createElement("dd");
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    if (id) dd.id = id;
    list.append(dt, dd);
    return dd;
  }

  function showReceipt(form, accepted) {
    var section = document.createElement("section");
    section.className = "vdp-receipt";
    section.setAttribute("aria-labelledby", "receipt-heading");
    var heading = document.createElement("h2");
    heading.id = "receipt-heading";
    heading.tabIndex = -1;
    heading.textContent = "Report received";
    var warning = document.createElement("p");
    warning.className = "vdp-alert";
    var strong = document.createElement("strong");
    strong.textContent = "Save your receipt now: it is shown only once.";
    warning.append(strong, " With it you can follow your report and send follow-ups; " +
      "nobody can recover it.");
    var facts = document.createElement("dl");
    facts.className = "vdp-facts";
    fact(facts, "Report ID", accepted.report_id, "r-report-id");
    var code = document.createElement("code");
    code.id = "r-receipt";
    code.textContent = accepted.receipt;
    var receiptCell = fact(facts, "Receipt", code);
    receiptCell.append(" ", copyButton("r-receipt"));
    fact(facts, "We acknowledge it by", accepted.acknowledge_by);
    var link = document.createElement("a");
    link.id = "r-status-link";
    link.href = accepted.status_url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Follow your report";
    var follow = document.createElement("p");
    follow.append(link, " (opens a new tab; the link carries the receipt, keep it private).");
    section.append(heading, warning, facts);
    if (accepted.flags && accepted.flags.length) section.appendChild(flagList(accepted.flags));
    section.appendChild(follow);
    form.hidden = true;
    var summary = document.getElementById("vdp-errors");
    if (summary) summary.remove();
    form.parentNode.insertBefore(section, form);
    heading.focus();
  }

  function flagList(flags) {
    var list = document.createElement("ul");
    list.className = "vdp-flags";
    flags.forEach(function (flag) {
      var item = document.createElement("li");
      var parts = flag.split(":");
      item.textContent = parts[0] === "unsupported_version"
        ? "The version you named is not supported any more."
        : "This may be out of scope (" + (parts[1] || parts[0]).replace(/_/g, " ") + ").";
      list.appendChild(item);
    });
    return list;
  }

  function copyButton(targetId) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "vdp-copy";
    button.setAttribute("data-copy", targetId);
    button.textContent = "Copy receipt";
    wireCopy(button);
    return button;
  }

  function wireCopy(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy")).textContent;
      var done = function () { announce("Receipt copied."); button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { selectText(button, done); });
      } else {
        selectText(button, done);
      }
    });
  }

  function selectText(button, done) {
    var range = document.createRange();
    range.selectNodeContents(document.getElementById(button.getAttribute("data-copy")));
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    announce("Receipt selected: press Ctrl+C (or Cmd+C) to copy it.");
    if (document.execCommand && document.execCommand("copy")) done();
  }

  function announce(text) {
    var live = document.getElementById("vdp-live");
    if (live) live.textContent = text;
  }

  // --- proof of work (instead of a third-party CAPTCHA) -------------------------------------
  // The server may ask for a solved challenge: a nonce such that SHA-256(challenge ":" nonce)
  // starts with `difficulty` zero bits. Web Crypto hashes a batch at a time.
  function zeroBits(digest) {
    var bytes = new Uint8Array(digest), bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      return bits + Math.clz32(bytes[i]) - 24;
    }
    return bits;
  }

  function solve(challenge, difficulty, start) {
    var encoder = new TextEncoder(), batch = [];
    for (var n = start; n < start + 256; n++) {
      batch.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + n)));
    }
    return Promise.all(batch).then(function (digests) {
      for (var i = 0; i < digests.length; i++) {
        if (zeroBits(digests[i]) >= difficulty) return challenge + ":" + (start + i);
      }
      return solve(challenge, difficulty, start + 256);
    });
  }

  function proofHeaders(action) {
    var url = action.replace(/reports$/, "challenge");
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      if (!response.ok) return {};
      return response.json().then(function (puzzle) {
        if (!puzzle.required) return {};
        announce("Checking that you are not a bot (a few seconds)…");
        return solve(puzzle.challenge, puzzle.difficulty, 0).then(function (proof) {
          return { "VDP-Proof": proof };
        });
      });
    });
  }

  // --- submission ----------------------------------------------------------------------------
  function submit(form, event) {
    event.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    var action = form.getAttribute("action");
    button.disabled = true;
    announce("Sending your report…");
    Promise.all([attachments(form), proofHeaders(action)]).then(function (ready) {
      var files = ready[0], body = collect(form);
      if (files.length) body.attachments = files;
      var headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Idempotency-Key": formKey(form)
      };
      Object.keys(ready[1]).forEach(function (name) { headers[name] = ready[1][name]; });
      return fetch(action, {
        method: "POST",
        headers: headers,
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (response.status === 201) return showReceipt(form, answer);
          throw answer.error || { message: "Something went wrong; please try again." };
        });
      });
    }).then(function () {
      announce("Report sent.");
    }, function (error) {
      announce("Your report was not sent.");
      if (keyReused(error)) {
        // Sent before with other content (its answer was lost?): a fresh form from here on.
        var carried = form.querySelector('input[name="idempotency_key"]');
        if (carried) carried.value = newKey(); else idempotencyKey = newKey();
        error = { message: form.getAttribute("data-fresh-form"), fields: [] };
      }
      showErrors(form, error && error.message ? error
        : { message: "The report could not be sent; check your connection and try again." });
    }).then(function () {
      button.disabled = false;
    });
  }

  // --- height for the embedding page ---------------------------------------------------
  function postHeight() {
    if (window.parent === window) return;
    var origins = (document.body.getAttribute("data-allowed-origins") || "").split(" ");
    origins.push(window.location.origin);
    // The body's own height: the document's scrollHeight never drops below the frame's height.
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    var message = { type: "vdp:height", height: height };
    origins.forEach(function (origin) {
      // postMessage with an explicit target origin: delivered only if the parent is that origin.
      if (origin) window.parent.postMessage(message, origin);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireCounters(document);
    document.querySelectorAll("button[data-copy]").forEach(wireCopy);
    var form = document.getElementById("vdp-report");
    if (form) form.addEventListener("submit", function (event) { submit(form, event); });
    var summary = document.getElementById("vdp-errors");
    if (summary) summary.focus();
    if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.body);
    postHeight();
  });
})();
