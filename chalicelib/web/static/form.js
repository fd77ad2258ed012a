// The report form, enhanced: JSON submission with an Idempotency-Key, field errors from
// the 422 list, character counters, the receipt with a copy button, and the iframe height
// posted to the embedding page (only to the policy's allowed origins). With the team's
// OpenPGP key (the form names its URL and fingerprint), the description, steps, impact and
// every file are encrypted to it in the browser, with OpenPGP.js, before anything is sent.
// Its words come from the page (data-texts) in the page's language, and the server answers
// in that language too: the messages are the same as without JavaScript.
(function () {
  "use strict";

  var texts = JSON.parse(document.body.getAttribute("data-texts") || "{}");
  var lang = document.documentElement.lang || "en";

  function fill(text, values) {
    return Object.keys(values).reduce(function (result, name) {
      return result.replace("{" + name + "}", values[name]);
    }, text || "");
  }

  var BOOLEANS = ["policy_accepted", "bounty_interest", "credit.wants_credit", "reporter.email_updates"];
  var idempotencyKey = newKey();
  var PAGE_FIELDS = ["idempotency_key", "form_token", "lang"];

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
        counter.textContent = fill(texts.count, {
          count: control.value.length.toLocaleString(lang), max: max.toLocaleString(lang)
        });
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
      // The page's own fields: the key goes in the Idempotency-Key header, the language in
      // Accept-Language, and the form token is for browsers without JavaScript.
      if (PAGE_FIELDS.indexOf(element.name) >= 0) return;
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

  // The files as the API takes them; with the team's key, each one an OpenPGP message
  // that carries the file's name: the server sees only "attachment-<n>.pgp", and the
  // team's CLI writes the file under the name inside the message.
  function attachments(form, key) {
    var input = form.querySelector('input[type="file"][name="attachments"]');
    var files = input ? Array.prototype.slice.call(input.files) : [];
    var maxFiles = Number(form.getAttribute("data-max-attachments"));
    var maxBytes = Number(form.getAttribute("data-max-bytes"));
    var total = files.reduce(function (sum, file) { return sum + file.size; }, 0);
    if (files.length > maxFiles) return Promise.reject(tooMany(texts.too_many_files));
    if (total > maxBytes) return Promise.reject(tooMany(texts.too_many_bytes));
    return Promise.all(files.map(function (file, index) {
      return file.arrayBuffer().then(function (buffer) {
        if (key) {
          return encryptFile(buffer, file.name, key).then(function (sealed) {
            var neutral = "attachment-" + (index + 1) + ".pgp";
            return { filename: neutral, content_type: PGP_ENCRYPTED, data: base64(sealed) };
          });
        }
        return {
          filename: file.name,
          content_type: file.type || "application/octet-stream",
          data: base64(buffer)
        };
      });
    }));
  }

  // The JSON body: the form's fields and files, the content ones encrypted when there is a key.
  function reportBody(form, key) {
    var body = collect(form);
    return attachments(form, key).then(function (files) {
      if (files.length) body.attachments = files;
      if (!key) return body;
      return Promise.all(ENCRYPTED_FIELDS.map(function (name) {
        // Empty fields stay absent; a message the reporter encrypted already is sent as it is.
        if (!body[name] || isMessage(body[name])) return null;
        return encryptText(body[name], key).then(function (armored) { body[name] = armored; });
      })).then(function () { return body; });
    });
  }

  function tooMany(message) {
    return {
      code: "validation_failed",
      message: texts.invalid,
      fields: [{ field: "attachments", message: message }]
    };
  }

  // --- encryption to the team's OpenPGP key -------------------------------------------------
  // The key comes from the form's data-team-key-url and must have the fingerprint the page
  // names (data-team-fingerprint): another key is refused and nothing is sent. The notice
  // says, before anything is sent, to whose key the report will be encrypted. Without
  // OpenPGP.js (an old browser), the report is sent as without JavaScript: encrypted at rest.
  var ENCRYPTED_FIELDS = ["description", "steps_to_reproduce", "impact"];
  var PGP_ENCRYPTED = "application/pgp-encrypted";
  var PGP_MESSAGE = "-----BEGIN PGP MESSAGE-----";
  var teamKey = null;  // a promise of the team's key (an openpgp Key), once asked for

  function encrypting(form) {
    return Boolean(form.getAttribute("data-team-key-url") && window.openpgp);
  }

  function isMessage(text) {
    return text.replace(/^\s+/, "").indexOf(PGP_MESSAGE) === 0;
  }

  // Text is compressed first (when the key allows it), so it fits the fields' limits.
  function encryptText(text, key) {
    var config = { preferredCompressionAlgorithm: window.openpgp.enums.compression.zlib };
    return window.openpgp.createMessage({ text: text }).then(function (message) {
      return window.openpgp.encrypt({ message: message, encryptionKeys: key, config: config });
    });
  }

  // Binary, not armored, and not compressed: a file grows by a few hundred bytes only (the
  // session key and the packets' framing), so one as large as the limit still fits a request.
  function encryptFile(buffer, filename, key) {
    var data = new Uint8Array(buffer);
    return window.openpgp.createMessage({ binary: data, filename: filename, format: "binary" })
      .then(function (message) {
        return window.openpgp.encrypt({ message: message, encryptionKeys: key, format: "binary" });
      });
  }

  function keyProblem(message, retry) {
    return { code: "team_key", message: message, fields: [], retry: retry };
  }

  function fetchTeamKey(form) {
    var expected = (form.getAttribute("data-team-fingerprint") || "").toLowerCase();
    var url = new URL(form.getAttribute("data-team-key-url"), document.baseURI);
    var unreachable = keyProblem(texts.key_unreachable, true);
    return fetch(url.href, { headers: { "Accept": "text/plain" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw unreachable;
        return response.text();
      }, function () { throw unreachable; })
      .then(function (armored) {
        return window.openpgp.readKey({ armoredKey: armored });
      })
      .then(function (key) {
        if (key.getFingerprint().toLowerCase() !== expected) throw new Error("fingerprint");
        return key.getEncryptionKey().then(function () { return key; });
      })
      .catch(function (problem) {
        if (problem === unreachable) throw problem;
        throw keyProblem(texts.key_wrong, false);
      });
  }

  // The team's key, fetched once; fetched again when sending if the network failed before.
  function readyKey(form) {
    if (!teamKey) return (teamKey = watched(form, fetchTeamKey(form)));
    return teamKey.catch(function (problem) {
      if (!problem.retry) throw problem;
      teamKey = watched(form, fetchTeamKey(form));
      return teamKey;
    });
  }

  function watched(form, promise) {
    promise.then(function () { showNotice(form, null); }, function (problem) {
      showNotice(form, problem);
    });
    return promise;
  }

  function showNotice(form, problem) {
    var notice = document.getElementById("vdp-e2e-notice");
    if (!notice) return;
    notice.textContent = "";
    notice.classList.toggle("vdp-e2e-refused", Boolean(problem && !problem.retry));
    if (problem) {
      notice.textContent = problem.retry ? texts.key_retry : texts.key_refused;
    } else {
      var headline = document.createElement("strong");
      headline.textContent = texts.notice_headline;
      notice.append(headline, texts.notice);
    }
    notice.hidden = false;
  }

  function showWithoutLibrary(form) {
    var notice = document.getElementById("vdp-e2e-notice");
    if (!notice) return;
    notice.textContent = texts.no_library;
    notice.hidden = false;
  }

  // The encrypted fields' own limits, checked here: the server sees only ciphertext.
  function plaintextProblems(form) {
    var fields = [];
    ENCRYPTED_FIELDS.forEach(function (name) {
      var control = document.getElementById(controlId(name));
      if (!control || !form.contains(control)) return;
      var value = control.value.trim();
      if (!value || isMessage(value)) return;
      var length = Array.from(value).length;  // characters, as the server counts them
      var min = Number(control.getAttribute("minlength") || 0);
      var max = Number(control.getAttribute("maxlength") || 0);
      var worded = (texts.fields || {})[name] || {};
      if (min && length < min) {
        fields.push({ field: name, message: worded.missing });
      } else if (max && length > max) {
        fields.push({ field: name, message: worded.long });
      }
    });
    if (!fields.length) return null;
    return { code: "validation_failed", message: texts.invalid, fields: fields };
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
    heading.textContent = texts.heading;
    var text = document.createElement("p");
    text.textContent = error.message || texts.failed;
    var list = document.createElement("ul");
    summary.append(heading, text, list);
    (error.fields || []).forEach(function (problem) {
      var control = controlFor(form, problem.field);
      var item = document.createElement("li");
      var link = document.createElement(control ? "a" : "span");
      link.textContent = problem.message;
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
  // The server's own receipt markup (a blank copy in a <template>), filled in: the same
  // page as without JavaScript.
  function longDate(iso) {
    var parts = iso.split("-").map(Number);
    var day = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" }).format(day);
  }

  function showReceipt(form, accepted) {
    var template = document.getElementById("vdp-receipt-template");
    var section = template.content.firstElementChild.cloneNode(true);
    var slot = function (id) { return section.querySelector("#" + id); };
    slot("r-report-id").textContent = accepted.report_id;
    slot("r-receipt").textContent = accepted.receipt;
    var time = document.createElement("time");
    time.dateTime = accepted.acknowledge_by;
    time.textContent = longDate(accepted.acknowledge_by);
    slot("r-ack").replaceChildren(time);
    // Encrypted content: by this script, or (the script could not encrypt) by the reporter.
    if ((accepted.flags || []).indexOf("encrypted") >= 0) {
      slot("r-protection").textContent = encrypting(form) ? texts.in_browser : texts.by_reporter;
    }
    (accepted.flags || []).forEach(function (flag) {
      var text = (texts.flags || {})[flag];
      if (!text) return;  // "encrypted" is the receipt's Protection line
      var item = document.createElement("li");
      item.textContent = text;
      slot("r-flags").appendChild(item);
    });
    slot("r-follow-id").value = accepted.report_id;
    slot("r-follow-receipt").value = accepted.receipt;
    slot("r-status-link").href = accepted.status_url;
    form.hidden = true;
    var summary = document.getElementById("vdp-errors");
    if (summary) summary.remove();
    form.parentNode.insertBefore(section, form);
    section.querySelectorAll("button[data-copy]").forEach(wireCopy);
    section.querySelector("#receipt-heading").focus();
  }

  function wireCopy(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy")).textContent;
      var done = function () {
        announce(texts.copied);
        button.textContent = texts.copied_button;
      };
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
    announce(texts.select);
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
        announce(texts.checking);
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
    var sealed = encrypting(form);
    var local = sealed ? plaintextProblems(form) : null;
    if (local) {
      announce(texts.not_sent);
      showErrors(form, local);
      return;
    }
    button.disabled = true;
    announce(sealed ? texts.encrypting : texts.sending);
    // The key first: with a refused key, nothing at all is asked of or sent to the server.
    var keyed = sealed ? readyKey(form) : Promise.resolve(null);
    keyed.then(function (key) {
      return Promise.all([reportBody(form, key), proofHeaders(action)]);
    }).then(function (ready) {
      var body = ready[0];
      announce(texts.sending);
      var headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Language": lang,  // the server's messages in the page's language
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
          throw answer.error || { message: texts.failed };
        });
      });
    }).then(function () {
      announce(texts.sent);
    }, function (error) {
      announce(texts.not_sent);
      if (keyReused(error)) {
        // Sent before with other content (its answer was lost?): a fresh form from here on.
        var carried = form.querySelector('input[name="idempotency_key"]');
        if (carried) carried.value = newKey(); else idempotencyKey = newKey();
        error = { message: texts.fresh_form, fields: [] };
      }
      showErrors(form, error && error.message ? error
        : { message: texts.offline });
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
    if (form && encrypting(form)) readyKey(form).catch(function () {});  // the notice says
    else if (form && form.getAttribute("data-team-key-url")) showWithoutLibrary(form);
    var summary = document.getElementById("vdp-errors");
    if (summary) summary.focus();
    if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.body);
    postHeight();
  });
})();
