"use strict";
const colors = { angry:"#ff5c5c", contempt:"#d08050", disgust:"#9acd32", disgusted:"#9acd32", fear:"#b07cff", fearful:"#b07cff",
  happy:"#ffd23f", sad:"#5fa8ff", surprise:"#ff9f43", surprised:"#ff9f43", neutral:"#c8ced8" };
const colorOf = label => colors[label] || "#5fb3ff";
const token = new URLSearchParams(location.search).get("token");
const withToken = path => token ? path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : path;
const $ = id => document.getElementById(id);
const view = $("view"), ctx = view.getContext("2d");
const grab = document.createElement("canvas"), grabCtx = grab.getContext("2d");
let video = null, socket = null, sentAt = 0, frameTimes = [], droppedTotal = 0, running = false, lastFaces = [];

function setState(state) { document.body.dataset.state = state; }
function showError(text) { $("error").textContent = text || ""; if (text) setState("error"); }

function drawFaces(faces, scale) {
  ctx.lineWidth = Math.max(2, 3 * scale);
  ctx.font = `600 ${Math.round(15 * scale)}px system-ui, sans-serif`;
  for (const face of faces) {
    const [x, y, w, h] = face.box.map(v => v * scale);
    const color = colorOf(face.label);
    ctx.strokeStyle = color; ctx.strokeRect(x, y, w, h);
    const text = (face.id != null ? `#${face.id} ` : "") + `${face.label} ${Math.round(face.confidence * 100)}%`;
    const tw = ctx.measureText(text).width + 12, th = Math.round(22 * scale);
    const ty = y - th >= 0 ? y - th : y + h;
    ctx.fillStyle = color; ctx.fillRect(x - ctx.lineWidth / 2, ty, tw, th);
    ctx.fillStyle = "#0b0d10"; ctx.fillText(text, x + 6, ty + th * 0.72);
    const entries = Object.entries(face.probabilities);
    const bw = Math.min(90 * scale, w), bh = Math.max(3, 5 * scale), bx = x + w + 6 * scale;
    entries.forEach(([label, p], i) => {
      const by = y + i * (bh + 3 * scale);
      ctx.fillStyle = "rgba(0,0,0,.55)"; ctx.fillRect(bx, by, bw, bh);
      ctx.fillStyle = colorOf(label); ctx.fillRect(bx, by, bw * p, bh);
    });
    // Landmarks, when the server's detector gives them (serve --detector mtcnn or yunet).
    for (const [px, py] of face.landmarks || []) {
      ctx.fillStyle = "#0b0d10"; ctx.beginPath(); ctx.arc(px * scale, py * scale, 4 * scale, 0, 2 * Math.PI); ctx.fill();
      ctx.fillStyle = color; ctx.beginPath(); ctx.arc(px * scale, py * scale, 2.5 * scale, 0, 2 * Math.PI); ctx.fill();
    }
  }
}

function listFaces(faces) {
  lastFaces = faces;
  document.body.dataset.faces = String(faces.length);
  document.body.dataset.labels = faces.map(f => f.label).join(",");
  const list = $("faces");
  if (!faces.length) { list.innerHTML = '<div class="face" style="color:var(--dim)">No faces in view.</div>'; return; }
  list.innerHTML = "";
  for (const face of faces) {
    const item = document.createElement("div"); item.className = "face";
    const title = document.createElement("div"); title.className = "title";
    title.innerHTML = `<span>${face.id != null ? "Face #" + face.id : "Face"}</span>`;
    const label = document.createElement("span"); label.className = "label"; label.textContent = face.label;
    label.style.color = colorOf(face.label); title.appendChild(label); item.appendChild(title);
    for (const [name, p] of Object.entries(face.probabilities).sort((a, b) => b[1] - a[1])) {
      const row = document.createElement("div"); row.className = "bar";
      row.innerHTML = `<span></span><i><span></span></i><em>${(p * 100).toFixed(0)}%</em>`;
      row.children[0].textContent = name;
      row.querySelector("i span").style.width = (p * 100).toFixed(1) + "%";
      row.querySelector("i span").style.background = colorOf(name);
      item.appendChild(row);
    }
    list.appendChild(item);
  }
}

function render() {
  if (!running) return;
  if (video.videoWidth) {
    if (view.width !== video.videoWidth) { view.width = video.videoWidth; view.height = video.videoHeight; }
    ctx.drawImage(video, 0, 0);
    drawFaces(lastFaces, view.width / grab.width || 1);
  }
  requestAnimationFrame(render);
}

function sendFrame() {
  if (!running || !socket || socket.readyState !== WebSocket.OPEN || !video.videoWidth) { if (running) setTimeout(sendFrame, 50); return; }
  const scale = Math.min(1, 640 / video.videoWidth);
  grab.width = Math.round(video.videoWidth * scale); grab.height = Math.round(video.videoHeight * scale);
  grabCtx.drawImage(video, 0, 0, grab.width, grab.height);
  grab.toBlob(blob => { if (blob && socket.readyState === WebSocket.OPEN) { sentAt = performance.now(); socket.send(blob); } }, "image/jpeg", 0.8);
}

async function startCamera() {
  showError("");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
    video = document.createElement("video"); video.muted = true; video.playsInline = true; video.srcObject = stream;
    await video.play();
  } catch (e) { showError("Camera unavailable: " + e.message); return; }
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + withToken("/v1/stream"));
  socket.binaryType = "arraybuffer";
  socket.onopen = () => { running = true; setState("live"); $("hint").hidden = true; $("stop").hidden = false; render(); sendFrame(); };
  socket.onmessage = event => {
    const reply = JSON.parse(event.data);
    const now = performance.now();
    $("rtt").textContent = Math.round(now - sentAt) + " ms";
    frameTimes.push(now); while (frameTimes.length && now - frameTimes[0] > 2000) frameTimes.shift();
    if (frameTimes.length > 1) $("fps").textContent = ((frameTimes.length - 1) * 1000 / (now - frameTimes[0])).toFixed(1);
    if (reply.error) showError(reply.error.message); else { listFaces(reply.faces); droppedTotal += reply.dropped || 0; $("dropped").textContent = droppedTotal; }
    sendFrame();
  };
  socket.onclose = event => { if (running) showError("Connection closed" + (event.reason ? ": " + event.reason : "")); stopCamera(); };
  socket.onerror = () => showError("Cannot reach the server's stream.");
}

function stopCamera() {
  running = false;
  if (video && video.srcObject) video.srcObject.getTracks().forEach(t => t.stop());
  if (socket && socket.readyState === WebSocket.OPEN) socket.close();
  $("stop").hidden = true; $("hint").hidden = false;
  if (document.body.dataset.state === "live") setState("idle");
}

async function analyzeFile(file) {
  stopCamera(); showError("");
  const started = performance.now();
  let reply;
  try {
    const response = await fetch(withToken("/v1/analyze"), { method: "POST", body: file, headers: { "Content-Type": file.type || "application/octet-stream" } });
    reply = await response.json();
    if (!response.ok) { showError(reply.error ? reply.error.message : "HTTP " + response.status); return; }
  } catch (e) { showError("Request failed: " + e.message); return; }
  $("rtt").textContent = Math.round(performance.now() - started) + " ms";
  const image = await createImageBitmap(file);
  view.width = image.width; view.height = image.height;
  ctx.drawImage(image, 0, 0); drawFaces(reply.faces, 1); listFaces(reply.faces);
  $("hint").hidden = true; setState("picture");
}

$("start").onclick = startCamera;
$("stop").onclick = stopCamera;
$("pick").onclick = () => $("file").click();
$("file").onchange = () => { if ($("file").files[0]) analyzeFile($("file").files[0]); };
const stage = $("stage");
stage.addEventListener("dragover", e => { e.preventDefault(); stage.classList.add("drag"); });
stage.addEventListener("dragleave", () => stage.classList.remove("drag"));
stage.addEventListener("drop", e => { e.preventDefault(); stage.classList.remove("drag"); if (e.dataTransfer.files[0]) analyzeFile(e.dataTransfer.files[0]); });
fetch(withToken("/v1/model")).then(r => r.ok ? r.json() : null).then(m => {
  if (m) $("model").textContent = "Model: " + m.model.split("/").pop() + " · " + m.metadata.labels.join(", ");
}).catch(() => {});
if (new URLSearchParams(location.search).has("autostart")) startCamera();
