/// The page `GET /` serves: self-contained (no CDN), in the binary. Its source is Page/index.html,
/// page.css and page.js; at build time the InlinePage plugin (Plugins/InlinePage) inlines the style
/// sheet and the script into the HTML and declares the result as `WebPage.html` in a generated
/// file, so the served page is one document and the installed binary needs no resource files.
///
/// It asks for the webcam, sends downscaled JPEG frames over `/v1/stream` (one in flight: the
/// next frame leaves when the previous reply is in, so the overlay is never more than a frame
/// behind) and draws boxes, ids, labels and probability bars over the video; a dropped or
/// chosen picture goes through `/v1/analyze`. A `?token=` in the page's address is passed on.
/// The state tests read: `document.body.dataset.state` (`idle`, `live`, `picture`, `error`),
/// `.dataset.faces` (faces in the latest reply) and `.dataset.labels` (their labels).
enum WebPage {}
