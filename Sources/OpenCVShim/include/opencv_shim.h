/*
 * opencv_shim.h: the plain C face of emotion-live's OpenCV shim.
 *
 * OpenCV is C++; Swift only ever sees this header. Conventions, everywhere:
 *   - objects are opaque handles (cvs_image, cvs_capture, ...) created by a *_create / *_open /
 *     *_load function and released by the matching *_destroy (NULL is accepted and ignored);
 *   - every function that can fail returns a cvs_status and, on failure, writes a one-line
 *     message into the caller's cvs_error (which may be NULL);
 *   - no C++ exception ever crosses this boundary: every entry point catches everything;
 *   - images are 8-bit, either 1 channel (grey) or 3 channels (BGR, OpenCV's order);
 *   - float buffers are caller-owned, row-major HWC, with their capacity in floats.
 */
#ifndef OPENCV_SHIM_H
#define OPENCV_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Status and errors
 * ------------------------------------------------------------------------------------------- */

typedef enum {
    CVS_OK = 0,
    CVS_ERROR = 1,          /* generic failure; see the message */
    CVS_END = 2,            /* a capture has no more frames (end of file, camera stopped) */
    CVS_TIMEOUT = 3,        /* an operation gave up after its time limit */
    CVS_INVALID_ARGUMENT = 4,
    CVS_NOT_FOUND = 5,      /* a file that does not exist or cannot be read */
    CVS_CORRUPT = 6         /* a video file whose data ends early or does not decode: reported
                               once, after every frame that did decode, instead of CVS_END */
} cvs_status;

typedef struct {
    char message[512];
} cvs_error;

typedef struct {
    int32_t x, y, width, height;
} cvs_rect;

typedef struct {
    uint8_t b, g, r;
} cvs_color;

/** OpenCV's major.minor.patch, e.g. 4, 6, 0. */
int cvs_version_major(void);
int cvs_version_minor(void);

/* ---------------------------------------------------------------------------------------------
 * Images (cv::Mat)
 * ------------------------------------------------------------------------------------------- */

typedef struct cvs_image cvs_image;

/** An empty image, to be filled by reads and conversions. */
cvs_status cvs_image_create(cvs_image **out, cvs_error *error);
/** An image of width x height x channels (1 or 3) copied from `data`, rows `stride` bytes apart. */
cvs_status cvs_image_create_from_bytes(const uint8_t *data, int32_t width, int32_t height,
                                       int32_t channels, size_t stride, cvs_image **out,
                                       cvs_error *error);
void cvs_image_destroy(cvs_image *image);

/** Size of the image; 0 x 0 x 0 when empty. */
void cvs_image_size(const cvs_image *image, int32_t *width, int32_t *height, int32_t *channels);
/** Pointer to the first pixel and the distance between rows in bytes (NULL when empty).
 *  Valid until the image is next written to. */
const uint8_t *cvs_image_data(const cvs_image *image, size_t *stride);
/** Deep copy of `source` into `destination`. */
cvs_status cvs_image_copy(const cvs_image *source, cvs_image *destination, cvs_error *error);

/** imread. `grey` != 0 reads one channel, otherwise BGR. CVS_NOT_FOUND if the file is missing
 *  or cannot be decoded. */
cvs_status cvs_image_read(const char *path, int32_t grey, cvs_image *destination, cvs_error *error);
/** imdecode of `size` bytes in memory (JPEG, PNG, WebP...). `grey` != 0 decodes one channel,
 *  otherwise BGR. CVS_INVALID_ARGUMENT if the bytes do not decode. The caller bounds the
 *  picture's size first: OpenCV's own limit is 2^30 pixels. */
cvs_status cvs_image_decode(const uint8_t *data, size_t size, int32_t grey, cvs_image *destination, cvs_error *error);
/** imwrite; the format follows the extension. */
cvs_status cvs_image_write(const cvs_image *image, const char *path, cvs_error *error);

/** BGR (or grey) to grey. `source` and `destination` may be the same image. */
cvs_status cvs_image_to_grey(const cvs_image *source, cvs_image *destination, cvs_error *error);
/** Grey to BGR (for drawing colour on a grey image). */
cvs_status cvs_image_to_bgr(const cvs_image *source, cvs_image *destination, cvs_error *error);
/** Mirror left-right. In place when `source` == `destination`. */
cvs_status cvs_image_flip_horizontal(const cvs_image *source, cvs_image *destination,
                                     cvs_error *error);
/** Resize to width x height; `area` != 0 uses INTER_AREA (shrinking), otherwise INTER_LINEAR. */
cvs_status cvs_image_resize(const cvs_image *source, int32_t width, int32_t height, int32_t area,
                            cvs_image *destination, cvs_error *error);

/* ---------------------------------------------------------------------------------------------
 * Face preprocessing: crop, resize (INTER_AREA to shrink, INTER_LINEAR to enlarge), scale into the caller's float buffer
 * ------------------------------------------------------------------------------------------- */

/**
 * Crops `rect` (clamped to the image) out of `image` (grey; BGR is converted to grey first),
 * resizes it to out_width x out_height (on floats: INTER_AREA to shrink, INTER_LINEAR to
 * enlarge) and writes out_height * out_width *
 * out_channels floats, HWC, the grey value copied into every channel, as value * scale + offset.
 * CVS_INVALID_ARGUMENT if the clamped rect is empty or `capacity` is too small.
 */
cvs_status cvs_crop_resize_to_floats(const cvs_image *image, cvs_rect rect, int32_t out_width,
                                     int32_t out_height, int32_t out_channels, float scale,
                                     float offset, float *out, size_t capacity, cvs_error *error);

/**
 * An aligned face: the square of side `side` centred on (cx, cy), turned by `angle_degrees`
 * (counter-clockwise as the picture is shown: positive levels eyes whose line falls to the
 * right), resampled to out_width x out_height and written as cvs_crop_resize_to_floats writes.
 * The region the turned square can reach is first shrunk to the output's scale (INTER_AREA),
 * then turned (INTER_LINEAR); outside the image the edge pixels are repeated.
 */
cvs_status cvs_crop_aligned_to_floats(const cvs_image *image, double cx, double cy, double side,
                                      double angle_degrees, int32_t out_width, int32_t out_height,
                                      int32_t out_channels, float scale, float offset, float *out,
                                      size_t capacity, cvs_error *error);

/**
 * The same resize-and-scale path for a caller's grey byte buffer (e.g. a 48x48 FER-2013 row):
 * `pixels` holds width * height bytes, row-major, no padding.
 */
cvs_status cvs_grey_bytes_resize_to_floats(const uint8_t *pixels, int32_t width, int32_t height,
                                           int32_t out_width, int32_t out_height,
                                           int32_t out_channels, float scale, float offset,
                                           float *out, size_t capacity, cvs_error *error);

/* ---------------------------------------------------------------------------------------------
 * Video capture: files through FFmpeg's libraries, cameras through cv::VideoCapture (V4L2)
 * ------------------------------------------------------------------------------------------- */

typedef struct cvs_capture cvs_capture;

/**
 * Opens a camera with the V4L2 backend: `device_path` (e.g. "/dev/video2") when not NULL,
 * otherwise the camera `index`. Width, height and fps are requests (0 = leave as is).
 * Gives up with CVS_TIMEOUT after `timeout_ms` (the blocked open is abandoned on its thread).
 */
cvs_status cvs_capture_open_camera(int32_t index, const char *device_path, int32_t width,
                                   int32_t height, double fps, int32_t timeout_ms,
                                   cvs_capture **out, cvs_error *error);
/** Opens a video file (FFmpeg: every container and codec it reads). CVS_NOT_FOUND when it is
 *  missing or not a video. Frames are those OpenCV's FFmpeg backend gives (BGR24 through
 *  swscale, SWS_BICUBIC; turned as the display matrix says, as players show it). */
cvs_status cvs_capture_open_file(const char *path, cvs_capture **out, cvs_error *error);
/** The same file read by cv::VideoCapture with CAP_FFMPEG, as a plain OpenCV program reads it
 *  (the benchmark's reference). */
cvs_status cvs_capture_open_file_with_opencv(const char *path, cvs_capture **out, cvs_error *error);
void cvs_capture_destroy(cvs_capture *capture);

/** How `cvs_capture_open_url` opens a network stream. */
typedef struct {
    int32_t timeout_ms;        /* bound on connecting, probing and each read; <= 0: 10000 */
    const char *input_format;  /* an FFmpeg demuxer's name (e.g. "mpegts"), NULL: probe */
    const char *options;       /* FFmpeg options, "key=value" lines ('\n'), NULL: none */
} cvs_stream_options;

/**
 * Opens a network URL (rtsp, http(s), udp, srt, ... as FFmpeg reads them) like a video file.
 * Messages name `name` (the URL without its credentials), never `url`. CVS_TIMEOUT when nothing
 * answers within the time limit; CVS_ERROR when the connection fails (refused, unknown host,
 * an option FFmpeg did not use); CVS_NOT_FOUND when it holds no video. Reads give CVS_TIMEOUT
 * when no data arrives within the limit, CVS_ERROR when the connection fails, CVS_END at the
 * stream's end or after `cvs_capture_interrupt`.
 */
cvs_status cvs_capture_open_url(const char *url, const char *name, const cvs_stream_options *options,
                                cvs_capture **out, cvs_error *error);

/** Makes a read blocked on a network stream return soon, from any thread (CVS_END). */
void cvs_capture_interrupt(cvs_capture *capture);

/**
 * Grabs and decodes the next frame into `destination` (BGR). `timestamp_ms` receives the
 * frame's time: for files, the frame's own timestamp from the start of the stream; for
 * cameras, CAP_PROP_POS_MSEC after the grab or, when they report none, a monotonic clock in
 * milliseconds. CVS_END when there are no more frames. For a file that is truncated or holds
 * data that does not decode, every frame that decodes comes first, then CVS_CORRUPT once, with a
 * message naming the file, the problem and the frame it came after; then CVS_END.
 */
cvs_status cvs_capture_read(cvs_capture *capture, cvs_image *destination, double *timestamp_ms,
                            cvs_error *error);

/**
 * With `grey` non-zero, `cvs_capture_read` gives one-channel frames from then on: each BGR frame
 * converted as cvs_image_to_grey converts it, and the BGR frame released at once (a file's is
 * then reused for the next frame), so a run that needs no colour holds no BGR frames.
 */
void cvs_capture_set_grey(cvs_capture *capture, int32_t grey);

typedef struct {
    int32_t width;
    int32_t height;
    double fps;             /* 0 when unknown */
    int64_t frame_count;    /* 0 or negative when unknown (cameras, some containers) */
    int32_t is_camera;
    int32_t looks_live;     /* a URL with no known duration or that cannot seek (see video_file.hpp) */
} cvs_capture_info;

void cvs_capture_get_info(const cvs_capture *capture, cvs_capture_info *info);

/* ---------------------------------------------------------------------------------------------
 * Haar cascade (cv::CascadeClassifier)
 * ------------------------------------------------------------------------------------------- */

typedef struct cvs_cascade cvs_cascade;

/** CVS_NOT_FOUND when the file is missing; CVS_ERROR when it is not a cascade. */
cvs_status cvs_cascade_load(const char *path, cvs_cascade **out, cvs_error *error);
void cvs_cascade_destroy(cvs_cascade *cascade);

/**
 * detectMultiScale on a grey image (BGR is converted). min/max sizes of 0 mean "no limit".
 * Up to `capacity` rects are written to `rects`; `count` receives how many were found in total
 * (it may exceed capacity: then only the first `capacity` are stored).
 */
cvs_status cvs_cascade_detect(cvs_cascade *cascade, const cvs_image *grey, double scale_factor,
                              int32_t min_neighbors, int32_t min_width, int32_t min_height,
                              int32_t max_width, int32_t max_height, cvs_rect *rects,
                              size_t capacity, size_t *count, cvs_error *error);

/**
 * detectMultiScale inside `region` of `image` (clamped to the image; an empty region means the
 * whole image), optionally on a copy shrunk by `shrink` (>= 1; INTER_AREA). min/max sizes are
 * in the full image's pixels (0 = no limit). Rects come back in the full image's coordinates;
 * `count` as for cvs_cascade_detect. With region empty and shrink 1 the rects are those of
 * cvs_cascade_detect; a large picture is searched in bands of pyramid levels, which needs less
 * memory than detectMultiScale's one call (see detect_multi_scale_banded in shim.cpp).
 * `neighbors` (NULL or `capacity` long) receives each rect's number of raw detections: a rect
 * with more than N of them is one that min_neighbors N would also have kept.
 */
cvs_status cvs_cascade_detect_in(cvs_cascade *cascade, const cvs_image *image, cvs_rect region,
                                 double shrink, double scale_factor, int32_t min_neighbors,
                                 int32_t min_width, int32_t min_height, int32_t max_width,
                                 int32_t max_height, cvs_rect *rects, int32_t *neighbors,
                                 size_t capacity, size_t *count, cvs_error *error);

/* ---------------------------------------------------------------------------------------------
 * Drawing
 * ------------------------------------------------------------------------------------------- */

cvs_status cvs_draw_rect(cvs_image *image, cvs_rect rect, cvs_color color, int32_t thickness,
                         cvs_error *error);
cvs_status cvs_fill_rect(cvs_image *image, cvs_rect rect, cvs_color color, cvs_error *error);
/** An anti-aliased line from (x0, y0) to (x1, y1); `thickness` >= 1. */
cvs_status cvs_draw_line(cvs_image *image, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                         cvs_color color, int32_t thickness, cvs_error *error);
/** Text with its baseline's left end at (x, y), FONT_HERSHEY_SIMPLEX, anti-aliased. */
cvs_status cvs_draw_text(cvs_image *image, const char *text, int32_t x, int32_t y,
                         double font_scale, cvs_color color, int32_t thickness, cvs_error *error);
/** getTextSize for the same font. */
cvs_status cvs_text_size(const char *text, double font_scale, int32_t thickness, int32_t *width,
                         int32_t *height, int32_t *baseline, cvs_error *error);

/* ---------------------------------------------------------------------------------------------
 * Windows (highgui)
 * ------------------------------------------------------------------------------------------- */

typedef struct cvs_window cvs_window;

/** A resizable window that keeps the picture's aspect ratio and shows no toolbar or status bar
 *  (WINDOW_NORMAL | WINDOW_KEEPRATIO | WINDOW_GUI_NORMAL); initial size width x height. */
cvs_status cvs_window_create(const char *title, int32_t width, int32_t height, cvs_window **out,
                             cvs_error *error);
/** Destroys the window (if still open) and the handle. */
void cvs_window_destroy(cvs_window *window);
cvs_status cvs_window_show(cvs_window *window, const cvs_image *image, cvs_error *error);
/** waitKey(delay_ms) (0 waits for ever); `key` receives the key code, or -1 for none. */
cvs_status cvs_wait_key(int32_t delay_ms, int32_t *key, cvs_error *error);
/** pollKey: handles window events without waiting; `key` as for cvs_wait_key. */
cvs_status cvs_poll_key(int32_t *key, cvs_error *error);
/** `closed` receives 1 when the user closed the window (getWindowProperty). */
cvs_status cvs_window_is_closed(cvs_window *window, int32_t *closed, cvs_error *error);

/* ---------------------------------------------------------------------------------------------
 * Video writer (cv::VideoWriter)
 * ------------------------------------------------------------------------------------------- */

typedef struct cvs_writer cvs_writer;

/** `fourcc` is four characters (e.g. "mp4v", "MJPG"); frames are BGR width x height. */
cvs_status cvs_writer_open(const char *path, const char *fourcc, double fps, int32_t width,
                           int32_t height, cvs_writer **out, cvs_error *error);
cvs_status cvs_writer_write(cvs_writer *writer, const cvs_image *image, cvs_error *error);
/** Finalizes the file (release) and destroys the handle. */
void cvs_writer_destroy(cvs_writer *writer);

#ifdef __cplusplus
}
#endif

#endif /* OPENCV_SHIM_H */
