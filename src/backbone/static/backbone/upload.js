// Upload page: drag and drop onto the drop zone, and a real progress bar while the file is sent.
// Without JavaScript the form posts normally.
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  const zone = document.getElementById("dropzone");
  const input = zone.querySelector("input[type=file]");
  const box = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const text = document.getElementById("upload-text");
  const button = document.getElementById("upload-button");

  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) input.files = event.dataTransfer.files;
  });

  form.addEventListener("submit", (event) => {
    if (!input.files.length) return;  // let the browser say the file is required
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    box.hidden = false;
    button.disabled = true;
    request.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((100 * e.loaded) / e.total);
      bar.value = percent;
      text.textContent = `Sending… ${percent}%`;
    });
    request.upload.addEventListener("load", () => {
      bar.removeAttribute("value");  // indeterminate while the server checks and loads
      text.textContent = "Sent. Checking and loading the file…";
    });
    request.addEventListener("load", () => {
      if (request.status === 200) {
        window.location.assign(JSON.parse(request.responseText).url);
      } else {
        document.open();
        document.write(request.responseText);  // the form again, with its errors
        document.close();
      }
    });
    request.addEventListener("error", () => {
      text.textContent = "The upload failed: check your connection and try again.";
      button.disabled = false;
    });
    request.send(new FormData(form));
  });
})();
