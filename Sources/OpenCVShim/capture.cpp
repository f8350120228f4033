// capture.cpp: captures: video files and network streams (FFmpeg, video_file.cpp), cameras and
// OpenCV's own file decoding (videoio).

#include "shim_internal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

using namespace cvs;

extern "C" {

namespace {

// State shared between a caller waiting for a camera to open and the thread opening it: if the
// caller gives up, the thread finishes on its own and releases the capture.
struct CameraOpening {
    std::mutex mutex;
    std::condition_variable done_signal;
    bool done = false;
    bool abandoned = false;
    std::unique_ptr<cvs_capture> result;
    std::string message;
};

void open_camera_on(std::shared_ptr<CameraOpening> state, int32_t index, std::string path,
                    int32_t width, int32_t height, double fps) {
    std::unique_ptr<cvs_capture> capture;
    std::string message;
    try {
        capture = std::make_unique<cvs_capture>();
        capture->is_camera = true;
        capture->opencv = std::make_unique<LoadedCapture>(videoio().capture_constructor);
        cv::VideoCapture &camera = capture->opencv->get();
        bool opened = path.empty() ? camera.open(index, cv::CAP_V4L2) : camera.open(path, cv::CAP_V4L2);
        if (opened) {
            if (width > 0) camera.set(cv::CAP_PROP_FRAME_WIDTH, width);
            if (height > 0) camera.set(cv::CAP_PROP_FRAME_HEIGHT, height);
            if (fps > 0) camera.set(cv::CAP_PROP_FPS, fps);
            // Keep the driver's queue short: a live view wants the newest frame.
            camera.set(cv::CAP_PROP_BUFFERSIZE, 1);
        } else {
            message = "could not open camera";
            capture.reset();
        }
    } catch (const cv::Exception &e) {
        message = "OpenCV: " + describe(e);
        capture.reset();
    } catch (const std::exception &e) {
        message = e.what();
        capture.reset();
    } catch (...) {
        message = "unknown C++ exception";
        capture.reset();
    }
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->abandoned) return;  // `capture` is released here, on this thread
    state->result = std::move(capture);
    state->message = message;
    state->done = true;
    state->done_signal.notify_all();
}

}  // namespace

cvs_status cvs_capture_open_camera(int32_t index, const char *device_path, int32_t width,
                                   int32_t height, double fps, int32_t timeout_ms,
                                   cvs_capture **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr) return fail(error, CVS_INVALID_ARGUMENT, "no output handle");
    const std::string path = device_path ? std::string(device_path) : std::string();
    const std::string name = path.empty() ? "camera " + std::to_string(index) : path;
    if (!path.empty()) {
        struct stat info;
        if (stat(path.c_str(), &info) != 0) {
            return fail(error, CVS_NOT_FOUND, path + ": no such device");
        }
    }
    auto state = std::make_shared<CameraOpening>();
    std::thread(open_camera_on, state, index, path, width, height, fps).detach();
    std::unique_lock<std::mutex> lock(state->mutex);
    const auto limit = std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 5000);
    if (!state->done_signal.wait_for(lock, limit, [&] { return state->done; })) {
        state->abandoned = true;
        return fail(error, CVS_TIMEOUT,
                    name + ": did not open within " + std::to_string(limit.count()) + " ms");
    }
    if (!state->result) {
        return fail(error, CVS_NOT_FOUND, name + ": " + state->message + " (V4L2)");
    }
    *out = state->result.release();
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_capture_open_file(const char *path, cvs_capture **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || path == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no path or output handle");
    }
    if (!file_exists(path)) return fail(error, CVS_NOT_FOUND, std::string(path) + ": no such file");
    cvs_status status = CVS_ERROR;
    std::string message;
    auto capture = std::make_unique<cvs_capture>();
    capture->file = cvs::VideoFile::open(path, status, message);
    if (!capture->file) return fail(error, status, message);
    *out = capture.release();
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_capture_open_url(const char *url, const char *name, const cvs_stream_options *options,
                                cvs_capture **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || url == nullptr || name == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no URL or output handle");
    }
    cvs::NetworkOptions network;
    if (options != nullptr) {
        if (options->timeout_ms > 0) network.timeout_us = int64_t(options->timeout_ms) * 1000;
        if (options->input_format != nullptr) network.input_format = options->input_format;
        std::string lines = options->options != nullptr ? options->options : "";
        size_t start = 0;
        while (start < lines.size()) {
            size_t end = lines.find('\n', start);
            if (end == std::string::npos) end = lines.size();
            const std::string line = lines.substr(start, end - start);
            const size_t equals = line.find('=');
            if (equals == std::string::npos || equals == 0) {
                return fail(error, CVS_INVALID_ARGUMENT, std::string(name) + ": option '" + line + "' is not key=value");
            }
            network.options.emplace_back(line.substr(0, equals), line.substr(equals + 1));
            start = end + 1;
        }
    }
    cvs_status status = CVS_ERROR;
    std::string message;
    auto capture = std::make_unique<cvs_capture>();
    capture->file = cvs::VideoFile::open(url, status, message, &network, name);
    if (!capture->file) return fail(error, status, message);
    *out = capture.release();
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_capture_interrupt(cvs_capture *capture) {
    if (capture != nullptr && capture->file) capture->file->interrupt();
}

// FFmpeg, inside OpenCV, writes its own diagnostics to stderr while probing a file ("moov atom
// not found" for a file that is not a video), which would break emotion-live's one-line error.
// Opening a file happens before any thread that writes to stderr starts, so stderr is pointed
// at /dev/null for the duration of the open; emotion-live then reports the failure itself.
class QuietStderr {
public:
    QuietStderr() {
        fflush(stderr);
        saved_ = dup(STDERR_FILENO);
        const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (saved_ >= 0 && null >= 0) dup2(null, STDERR_FILENO);
        if (null >= 0) close(null);
    }
    ~QuietStderr() {
        if (saved_ < 0) return;
        dup2(saved_, STDERR_FILENO);
        close(saved_);
    }
    QuietStderr(const QuietStderr &) = delete;
    QuietStderr &operator=(const QuietStderr &) = delete;

private:
    int saved_ = -1;
};

cvs_status cvs_capture_open_file_with_opencv(const char *path, cvs_capture **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || path == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no path or output handle");
    }
    if (!file_exists(path)) return fail(error, CVS_NOT_FOUND, std::string(path) + ": no such file");
    auto capture = std::make_unique<cvs_capture>();
    capture->opencv = std::make_unique<LoadedCapture>(videoio().capture_constructor);
    cv::VideoCapture &video = capture->opencv->get();
    QuietStderr quiet;
    if (!video.open(path, cv::CAP_FFMPEG) || !video.isOpened()) {
        return fail(error, CVS_NOT_FOUND, std::string(path) + ": not a readable video");
    }
    *out = capture.release();
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_capture_destroy(cvs_capture *capture) {
    try {
        delete capture;
    } catch (...) {
    }
}

cvs_status cvs_capture_read(cvs_capture *capture, cvs_image *destination, double *timestamp_ms,
                            cvs_error *error) {
    CVS_GUARD_BEGIN
    if (capture == nullptr || destination == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no capture or image");
    }
    cv::Mat frame;
    double ms = 0;
    if (capture->file) {
        std::string message;
        const cvs_status status = capture->file->read(frame, ms, message);
        if (status != CVS_OK) return fail(error, status, message);
    } else {
        cv::VideoCapture &video = capture->opencv->get();
        if (!video.grab()) return fail(error, CVS_END, "no more frames");
        ms = video.get(cv::CAP_PROP_POS_MSEC);
        if (capture->is_camera && !(ms > 0)) ms = monotonic_ms();
        if (!video.retrieve(frame) || frame.empty()) return fail(error, CVS_END, "frame could not be decoded");
    }
    destination->mat = capture->grey ? grey_of(frame) : frame;
    if (timestamp_ms) *timestamp_ms = ms;
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_capture_set_grey(cvs_capture *capture, int32_t grey) {
    if (capture == nullptr) return;
    capture->grey = grey != 0;
    if (capture->file) capture->file->set_grey(grey != 0);
}

void cvs_capture_get_info(const cvs_capture *capture, cvs_capture_info *info) {
    if (info == nullptr) return;
    std::memset(info, 0, sizeof *info);
    try {
        if (capture == nullptr) return;
        if (capture->file) {
            info->width = capture->file->width();
            info->height = capture->file->height();
            info->fps = capture->file->fps();
            info->frame_count = capture->file->frame_count();
            info->looks_live = capture->file->looks_live() ? 1 : 0;
            return;
        }
        cv::VideoCapture &c = capture->opencv->get();
        info->width = int32_t(c.get(cv::CAP_PROP_FRAME_WIDTH));
        info->height = int32_t(c.get(cv::CAP_PROP_FRAME_HEIGHT));
        info->fps = c.get(cv::CAP_PROP_FPS);
        info->frame_count = capture->is_camera ? 0 : int64_t(c.get(cv::CAP_PROP_FRAME_COUNT));
        info->is_camera = capture->is_camera ? 1 : 0;
    } catch (...) {
    }
}

}  // extern "C"
