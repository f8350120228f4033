// shim.cpp: emotion-live's OpenCV shim. C++ inside, the plain C API of opencv_shim.h outside.
//
// Every extern "C" function catches every exception (cv::Exception, std::bad_alloc, anything)
// and turns it into a status code plus a message: nothing C++ ever reaches Swift.
//
// Only core, imgproc and objdetect are linked. Video files are read with FFmpeg directly
// (video_file.cpp); highgui (windows), videoio (cameras, the annotated-video writer) and
// imgcodecs (still images) are loaded with dlopen the first time they are needed, so a headless
// run on a video never maps them or the ~200 libraries behind them.

#include "opencv_shim.h"
#include "video_file.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/core/utils/logger.hpp>

#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// ---------------------------------------------------------------------------------------------
// Handles and helpers
// ---------------------------------------------------------------------------------------------

struct cvs_image {
    cv::Mat mat;
};

struct cvs_cascade {
    cv::CascadeClassifier classifier;
};

struct cvs_window {
    std::string name;
};

namespace {

cvs_status fail(cvs_error *error, cvs_status status, const std::string &message) {
    if (error != nullptr) {
        std::snprintf(error->message, sizeof error->message, "%s", message.c_str());
    }
    return status;
}

// cv::Exception::what() is a multi-line "OpenCV(4.6.0) file:line: error: (-215) ... in function"
// text; its `msg` without the location reads better on one line.
std::string describe(const cv::Exception &e) {
    std::string text = e.err.empty() ? std::string(e.what()) : e.err;
    for (char &c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    if (!e.func.empty()) text += " (in " + e.func + ")";
    return text;
}

bool file_exists(const char *path) {
    struct stat info;
    return path != nullptr && stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

// OpenCV logs backend failures (a GStreamer assertion for a file that is not a video...) on
// stderr; the shim reports every failure itself, as one line, so OpenCV stays quiet unless the
// user asks for its log with OPENCV_LOG_LEVEL.
struct QuietOpenCV {
    QuietOpenCV() {
        try {
            if (std::getenv("OPENCV_LOG_LEVEL") == nullptr) {
                cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
            }
        } catch (...) {
        }
    }
};
const QuietOpenCV quiet_opencv;

double monotonic_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

const cv::Scalar scalar(cvs_color c) { return cv::Scalar(c.b, c.g, c.r); }

// Grey view of an image: the image itself when it already has one channel.
cv::Mat grey_of(const cv::Mat &m) {
    if (m.channels() == 1) return m;
    cv::Mat grey;
    if (m.channels() == 4) {
        cv::cvtColor(m, grey, cv::COLOR_BGRA2GRAY);
    } else {
        cv::cvtColor(m, grey, cv::COLOR_BGR2GRAY);
    }
    return grey;
}

// The single resize-and-scale path shared by live faces and FER-2013 rows. The resize runs on
// float pixels (no rounding back to bytes); shrinking uses INTER_AREA, which averages the source
// pixels each output pixel covers, and enlarging (a 48x48 FER-2013 face for a 64x64 model, a
// face smaller than the model's input) uses INTER_LINEAR, as Keras pipelines do with
// cv2.resize: reproducing mini-Xception's published 0.6551 on FER-2013 depends on it. Then
// value * scale + offset is copied into every channel, HWC.
cvs_status resize_to_floats(const cv::Mat &grey, int32_t out_width, int32_t out_height,
                            int32_t out_channels, float scale, float offset, float *out,
                            size_t capacity, cvs_error *error) {
    if (out_width <= 0 || out_height <= 0 || out_channels <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "output size must be positive");
    }
    const size_t needed = size_t(out_width) * size_t(out_height) * size_t(out_channels);
    if (out == nullptr || capacity < needed) {
        return fail(error, CVS_INVALID_ARGUMENT,
                    "float buffer holds " + std::to_string(capacity) + " values, " +
                        std::to_string(needed) + " needed");
    }
    cv::Mat pixels;
    grey.convertTo(pixels, CV_32F);
    cv::Mat resized;
    if (pixels.cols == out_width && pixels.rows == out_height) {
        resized = pixels;
    } else {
        const bool shrinking = out_width <= pixels.cols && out_height <= pixels.rows;
        cv::resize(pixels, resized, cv::Size(out_width, out_height), 0, 0,
                   shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    float *p = out;
    for (int y = 0; y < out_height; ++y) {
        const float *row = resized.ptr<float>(y);
        for (int x = 0; x < out_width; ++x) {
            const float v = row[x] * scale + offset;
            for (int c = 0; c < out_channels; ++c) *p++ = v;
        }
    }
    return CVS_OK;
}

// Debian's OpenCV draws windows with Qt, and Qt abort()s the whole process when it cannot reach
// its display. So before the first window the shim checks, cheaply, that an X server answers on
// $DISPLAY (unless QT_QPA_PLATFORM picks another platform, e.g. offscreen or wayland).
bool connect_with_timeout(int fd, const sockaddr *address, socklen_t length) {
    timeval limit{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    return connect(fd, address, length) == 0;
}

bool unix_socket_answers(const std::string &path, bool abstract) {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const size_t offset = abstract ? 1 : 0;
    if (path.size() + offset >= sizeof address.sun_path) {
        close(fd);
        return false;
    }
    std::memcpy(address.sun_path + offset, path.data(), path.size());
    const socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + offset + path.size() + (abstract ? 0 : 1));
    const bool ok = connect_with_timeout(fd, reinterpret_cast<sockaddr *>(&address), length);
    close(fd);
    return ok;
}

bool tcp_answers(const std::string &host, int port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
    bool ok = false;
    for (addrinfo *a = found; a != nullptr && !ok; a = a->ai_next) {
        const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        ok = connect_with_timeout(fd, a->ai_addr, a->ai_addrlen);
        close(fd);
    }
    freeaddrinfo(found);
    return ok;
}

// Empty when a window can be opened, otherwise why not.
std::string display_problem() {
    const char *platform = std::getenv("QT_QPA_PLATFORM");
    if (platform != nullptr && *platform != '\0' && std::strncmp(platform, "xcb", 3) != 0) return "";
    const char *display = std::getenv("DISPLAY");
    if (display == nullptr || *display == '\0') return "no display (DISPLAY is not set)";
    const std::string text(display);
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) return "DISPLAY '" + text + "' is not a display name";
    const std::string host = text.substr(0, colon);
    const int number = std::atoi(text.c_str() + colon + 1);
    bool answers = false;
    if (host.empty() || host == "unix") {
        const std::string socket_path = "/tmp/.X11-unix/X" + std::to_string(number);
        answers = unix_socket_answers(socket_path, false) || unix_socket_answers(socket_path, true);
    } else if (host[0] == '/') {
        answers = unix_socket_answers(text.substr(0, colon), false);  // XQuartz-style socket path
    } else {
        answers = tcp_answers(host, 6000 + number);
    }
    return answers ? "" : "cannot connect to display '" + text + "'";
}

// highgui (and Qt behind it on Debian: ~40 more shared libraries, tens of MB resident),
// videoio and imgcodecs are not linked: each is loaded with dlopen the first time it is needed.
// Functions are looked up by their C++ names (the Itanium ABI of the libstdc++ build OpenCV
// uses, std::__cxx11::string); a build that links a module anyway gets the same library back.

// libopencv_<module> of the OpenCV version the shim was compiled against; null and `problem`
// set when it cannot be loaded.
void *load_opencv_module(const char *module, std::string &problem) {
    const std::string base = std::string("libopencv_") + module + ".so";
    const std::string version = std::to_string(CV_VERSION_MAJOR) + std::to_string(CV_VERSION_MINOR);
    const std::string dotted = std::to_string(CV_VERSION_MAJOR) + "." + std::to_string(CV_VERSION_MINOR);
    std::string tried;
    for (const std::string &name : {base + "." + version, base + "." + dotted, base}) {
        if (void *library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) return library;
        const char *why = dlerror();
        if (tried.empty() && why != nullptr) tried = why;
    }
    problem = std::string("OpenCV's ") + module + " library could not be loaded (" + tried + ")";
    return nullptr;
}

template <typename F>
void bind(void *library, const char *module, const char *symbol, F &function, std::string &problem) {
    function = reinterpret_cast<F>(dlsym(library, symbol));
    if (function == nullptr && problem.empty()) problem = std::string("libopencv_") + module + " has no " + symbol;
}

struct HighGUI {
    void (*named_window)(const std::string &, int) = nullptr;
    void (*resize_window)(const std::string &, int, int) = nullptr;
    void (*destroy_window)(const std::string &) = nullptr;
    void (*imshow)(const std::string &, const cv::_InputArray &) = nullptr;
    int (*wait_key)(int) = nullptr;
    int (*poll_key)() = nullptr;
    double (*get_window_property)(const std::string &, int) = nullptr;
    std::string problem;  // empty when loaded
};

const HighGUI &highgui() {
    static const HighGUI gui = [] {
        HighGUI g;
        void *library = load_opencv_module("highgui", g.problem);
        if (library == nullptr) return g;
        const char *m = "highgui";
        bind(library, m, "_ZN2cv11namedWindowERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi", g.named_window, g.problem);
        bind(library, m, "_ZN2cv12resizeWindowERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEii", g.resize_window, g.problem);
        bind(library, m, "_ZN2cv13destroyWindowERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE", g.destroy_window, g.problem);
        bind(library, m, "_ZN2cv6imshowERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayE", g.imshow, g.problem);
        bind(library, m, "_ZN2cv7waitKeyEi", g.wait_key, g.problem);
        bind(library, m, "_ZN2cv7pollKeyEv", g.poll_key, g.problem);
        bind(library, m, "_ZN2cv17getWindowPropertyERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi", g.get_window_property, g.problem);
        return g;
    }();
    return gui;
}

// The loaded highgui, or an exception saying why there is none.
const HighGUI &gui() {
    const HighGUI &g = highgui();
    if (!g.problem.empty()) throw std::runtime_error(g.problem);
    return g;
}

// videoio: only the two constructors are looked up. Every other member the shim calls on a
// cv::VideoCapture or cv::VideoWriter (open, grab, retrieve, get, set, write, release, the
// destructor) is virtual in OpenCV 4, so it is reached through the object's vtable, which the
// constructor sets: nothing here refers to videoio at link time.
struct VideoIO {
    void (*capture_constructor)(void *) = nullptr;  // cv::VideoCapture::VideoCapture()
    void (*writer_constructor)(void *) = nullptr;   // cv::VideoWriter::VideoWriter()
    std::string problem;
};

const VideoIO &videoio() {
    static const VideoIO io = [] {
        VideoIO v;
        void *library = load_opencv_module("videoio", v.problem);
        if (library == nullptr) return v;
        bind(library, "videoio", "_ZN2cv12VideoCaptureC1Ev", v.capture_constructor, v.problem);
        bind(library, "videoio", "_ZN2cv11VideoWriterC1Ev", v.writer_constructor, v.problem);
        return v;
    }();
    if (!io.problem.empty()) throw std::runtime_error(io.problem);
    return io;
}

// A cv::VideoCapture or cv::VideoWriter built by videoio's own constructor in storage of ours.
template <typename T>
class Loaded {
public:
    explicit Loaded(void (*constructor)(void *)) { constructor(storage_); }
    ~Loaded() { get().~T(); }  // virtual: videoio's destructor
    Loaded(const Loaded &) = delete;
    Loaded &operator=(const Loaded &) = delete;
    T &get() { return *std::launder(reinterpret_cast<T *>(storage_)); }

private:
    alignas(T) unsigned char storage_[sizeof(T)];
};

using LoadedCapture = Loaded<cv::VideoCapture>;
using LoadedWriter = Loaded<cv::VideoWriter>;

// imgcodecs, for still images (imread, imwrite).
struct ImgCodecs {
    cv::Mat (*imread)(const std::string &, int) = nullptr;
    bool (*imwrite)(const std::string &, const cv::_InputArray &, const std::vector<int> &) = nullptr;
    std::string problem;
};

const ImgCodecs &imgcodecs() {
    static const ImgCodecs codecs = [] {
        ImgCodecs c;
        void *library = load_opencv_module("imgcodecs", c.problem);
        if (library == nullptr) return c;
        bind(library, "imgcodecs", "_ZN2cv6imreadERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi", c.imread, c.problem);
        bind(library, "imgcodecs",
             "_ZN2cv7imwriteERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_11_InputArrayERKSt6vectorIiSaIiEE",
             c.imwrite, c.problem);
        return c;
    }();
    if (!codecs.problem.empty()) throw std::runtime_error(codecs.problem);
    return codecs;
}

// OpenCV's highgui constants (opencv2/highgui.hpp), which is not included: nothing here may
// reference highgui at link time.
constexpr int kWindowNormal = 0x00000000, kWindowKeepRatio = 0x00000000, kWindowGuiNormal = 0x00000010;
constexpr int kWindowPropVisible = 4;

// The pyramid levels detectMultiScale searches, as it chooses them (factors 1, s, s^2...; a
// window below min_size skipped, the first above max_size or the image ending the list):
// each level's window and the height of its integral images.
struct PyramidLevel {
    cv::Size window;
    int rows;
};

std::vector<PyramidLevel> pyramid_levels(cv::Size original, cv::Size image, double scale_factor,
                                         cv::Size min_size, cv::Size max_size) {
    if (max_size.width == 0 || max_size.height == 0) max_size = image;
    std::vector<PyramidLevel> levels;
    for (double factor = 1;; factor *= scale_factor) {
        const cv::Size window(cvRound(original.width * factor), cvRound(original.height * factor));
        if (window.width > max_size.width || window.height > max_size.height || window.width > image.width ||
            window.height > image.height) {
            break;
        }
        if (window.width < min_size.width || window.height < min_size.height) continue;
        levels.push_back({window, cvRound(image.height / float(factor)) + 1});
    }
    return levels;
}

// Pictures whose largest searched level has fewer pixels than this are searched in one call:
// their integral images are small, and each call costs a fixed setup.
constexpr int kBandedSearchMinPixels = 64 * 1024;

// detectMultiScale (with numDetections) in several calls, each over a band of consecutive
// pyramid levels, with the candidates of all bands grouped once at the end. The boxes and
// counts are those of one call: a level's windows are scored on its own integral images
// whichever call computes them, candidates are neither clipped nor grouped per band (the
// classifier's `cc` is called, not the clipping wrapper), and groupRectangles then sees the
// same candidates. What changes is memory: one call lays the integral images of all its levels
// out in one buffer, which the classifier keeps at the largest size it ever needed: 10.4 MB for
// a 1920x1080 frame searched for faces of 45 px and up, 3.7 MB when no band's levels are taller
// together than the largest level. The result is checked against one call in FaceDetectorTests.
void detect_multi_scale_banded(cv::CascadeClassifier &classifier, const cv::Mat &view, double scale_factor,
                               int min_neighbors, cv::Size min_size, cv::Size max_size,
                               std::vector<cv::Rect> &found, std::vector<int> &counts) {
    const std::vector<PyramidLevel> levels =
        pyramid_levels(classifier.getOriginalWindowSize(), view.size(), scale_factor, min_size, max_size);
    const bool small = levels.empty() ||
                       int64_t(levels[0].rows) * (levels[0].rows * view.cols / view.rows) < kBandedSearchMinPixels;
    if (classifier.isOldFormatCascade() || levels.size() < 2 || small) {
        classifier.detectMultiScale(view, found, counts, scale_factor, min_neighbors, 0, min_size, max_size);
        return;
    }
    found.clear();
    counts.clear();
    std::vector<cv::Rect> band;
    std::vector<int> unused;
    for (size_t first = 0; first < levels.size();) {
        size_t last = first;
        int rows = levels[first].rows;
        while (last + 1 < levels.size() && rows + levels[last + 1].rows <= levels[0].rows) rows += levels[++last].rows;
        // A band's levels are named by their windows' sizes: two levels with the same window
        // (a scale factor close to 1) must fall in the same band.
        while (last + 1 < levels.size() && levels[last + 1].window == levels[last].window) ++last;
        classifier.cc->detectMultiScale(view, band, unused, scale_factor, 0, 0, levels[first].window,
                                        levels[last].window);
        found.insert(found.end(), band.begin(), band.end());
        first = last + 1;
    }
    cv::groupRectangles(found, counts, min_neighbors, 0.2);  // detectMultiScale's GROUP_EPS
    // What the wrapper's clipObjects does: boxes cut to the picture, empty ones dropped.
    const cv::Rect picture(0, 0, view.cols, view.rows);
    size_t kept = 0;
    for (size_t i = 0; i < found.size(); ++i) {
        const cv::Rect r = found[i] & picture;
        if (r.area() <= 0) continue;
        found[kept] = r;
        counts[kept] = counts[i];
        ++kept;
    }
    found.resize(kept);
    counts.resize(kept);
}

}  // namespace

// A video file read with FFmpeg directly, or a capture opened by OpenCV's videoio (cameras;
// files, when the benchmark asks for OpenCV's own decoding).
struct cvs_capture {
    std::unique_ptr<cvs::VideoFile> file;
    std::unique_ptr<LoadedCapture> opencv;
    bool is_camera = false;
    bool grey = false;
};

struct cvs_writer {
    std::unique_ptr<LoadedWriter> writer;
};

#define CVS_GUARD_BEGIN try {
#define CVS_GUARD_END                                                          \
    }                                                                          \
    catch (const cv::Exception &e) {                                           \
        return fail(error, CVS_ERROR, "OpenCV: " + describe(e));               \
    }                                                                          \
    catch (const std::exception &e) {                                          \
        return fail(error, CVS_ERROR, e.what());                               \
    }                                                                          \
    catch (...) {                                                              \
        return fail(error, CVS_ERROR, "unknown C++ exception");                \
    }

extern "C" {

int cvs_version_major(void) { return CV_VERSION_MAJOR; }
int cvs_version_minor(void) { return CV_VERSION_MINOR; }

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

cvs_status cvs_image_create(cvs_image **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr) return fail(error, CVS_INVALID_ARGUMENT, "no output handle");
    *out = new cvs_image();
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_create_from_bytes(const uint8_t *data, int32_t width, int32_t height,
                                       int32_t channels, size_t stride, cvs_image **out,
                                       cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || data == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no data or output handle");
    }
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
        return fail(error, CVS_INVALID_ARGUMENT, "image must be non-empty with 1 or 3 channels");
    }
    if (stride < size_t(width) * size_t(channels)) {
        return fail(error, CVS_INVALID_ARGUMENT, "row stride shorter than a row");
    }
    const cv::Mat view(height, width, CV_8UC(channels), const_cast<uint8_t *>(data), stride);
    auto image = std::make_unique<cvs_image>();
    image->mat = view.clone();
    *out = image.release();
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_image_destroy(cvs_image *image) {
    try {
        delete image;
    } catch (...) {
    }
}

void cvs_image_size(const cvs_image *image, int32_t *width, int32_t *height, int32_t *channels) {
    try {
        const bool empty = image == nullptr || image->mat.empty();
        if (width) *width = empty ? 0 : image->mat.cols;
        if (height) *height = empty ? 0 : image->mat.rows;
        if (channels) *channels = empty ? 0 : image->mat.channels();
    } catch (...) {
    }
}

const uint8_t *cvs_image_data(const cvs_image *image, size_t *stride) {
    try {
        if (image == nullptr || image->mat.empty()) {
            if (stride) *stride = 0;
            return nullptr;
        }
        if (stride) *stride = image->mat.step[0];
        return image->mat.ptr<uint8_t>(0);
    } catch (...) {
        return nullptr;
    }
}

cvs_status cvs_image_copy(const cvs_image *source, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image");
    }
    if (source != destination) source->mat.copyTo(destination->mat);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_read(const char *path, int32_t grey, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (path == nullptr || destination == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no path or image");
    }
    if (!file_exists(path)) {
        return fail(error, CVS_NOT_FOUND, std::string(path) + ": no such file");
    }
    cv::Mat mat = imgcodecs().imread(path, grey ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (mat.empty()) {
        return fail(error, CVS_NOT_FOUND, std::string(path) + ": not a readable image");
    }
    destination->mat = std::move(mat);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_write(const cvs_image *image, const char *path, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (path == nullptr || image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no path or empty image");
    }
    if (!imgcodecs().imwrite(path, cv::_InputArray(image->mat), std::vector<int>())) {
        return fail(error, CVS_ERROR, std::string(path) + ": could not write image");
    }
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_to_grey(const cvs_image *source, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr || source->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    if (source->mat.channels() == 1) {
        if (source != destination) source->mat.copyTo(destination->mat);
    } else {
        cv::Mat grey = grey_of(source->mat);
        destination->mat = std::move(grey);
    }
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_to_bgr(const cvs_image *source, cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr || source->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    if (source->mat.channels() == 3) {
        if (source != destination) source->mat.copyTo(destination->mat);
    } else {
        cv::Mat bgr;
        cv::cvtColor(source->mat, bgr,
                     source->mat.channels() == 4 ? cv::COLOR_BGRA2BGR : cv::COLOR_GRAY2BGR);
        destination->mat = std::move(bgr);
    }
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_flip_horizontal(const cvs_image *source, cvs_image *destination,
                                     cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr || source->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    cv::flip(source->mat, destination->mat, 1);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_image_resize(const cvs_image *source, int32_t width, int32_t height, int32_t area,
                            cvs_image *destination, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (source == nullptr || destination == nullptr || source->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    if (width <= 0 || height <= 0) return fail(error, CVS_INVALID_ARGUMENT, "size must be positive");
    cv::Mat resized;
    cv::resize(source->mat, resized, cv::Size(width, height), 0, 0,
               area ? cv::INTER_AREA : cv::INTER_LINEAR);
    destination->mat = std::move(resized);
    return CVS_OK;
    CVS_GUARD_END
}

// ---------------------------------------------------------------------------------------------
// Face preprocessing
// ---------------------------------------------------------------------------------------------

cvs_status cvs_crop_resize_to_floats(const cvs_image *image, cvs_rect rect, int32_t out_width,
                                     int32_t out_height, int32_t out_channels, float scale,
                                     float offset, float *out, size_t capacity, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    const cv::Rect bounds(0, 0, image->mat.cols, image->mat.rows);
    const cv::Rect crop = cv::Rect(rect.x, rect.y, rect.width, rect.height) & bounds;
    if (crop.width <= 0 || crop.height <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "crop rect is empty inside the image");
    }
    const cv::Mat region = image->mat(crop);
    return resize_to_floats(grey_of(region), out_width, out_height, out_channels, scale, offset,
                            out, capacity, error);
    CVS_GUARD_END
}

cvs_status cvs_grey_bytes_resize_to_floats(const uint8_t *pixels, int32_t width, int32_t height,
                                           int32_t out_width, int32_t out_height,
                                           int32_t out_channels, float scale, float offset,
                                           float *out, size_t capacity, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (pixels == nullptr || width <= 0 || height <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "no pixels");
    }
    const cv::Mat grey(height, width, CV_8UC1, const_cast<uint8_t *>(pixels));
    return resize_to_floats(grey, out_width, out_height, out_channels, scale, offset, out,
                            capacity, error);
    CVS_GUARD_END
}

// ---------------------------------------------------------------------------------------------
// Capture
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Cascade
// ---------------------------------------------------------------------------------------------

cvs_status cvs_cascade_load(const char *path, cvs_cascade **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || path == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no path or output handle");
    }
    if (!file_exists(path)) return fail(error, CVS_NOT_FOUND, std::string(path) + ": no such file");
    auto cascade = std::make_unique<cvs_cascade>();
    bool loaded = false;
    try {
        loaded = cascade->classifier.load(path);
    } catch (const cv::Exception &e) {
        return fail(error, CVS_ERROR, std::string(path) + ": not a cascade (" + describe(e) + ")");
    }
    if (!loaded || cascade->classifier.empty()) {
        return fail(error, CVS_ERROR, std::string(path) + ": not a Haar cascade file");
    }
    *out = cascade.release();
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_cascade_destroy(cvs_cascade *cascade) {
    try {
        delete cascade;
    } catch (...) {
    }
}

cvs_status cvs_cascade_detect(cvs_cascade *cascade, const cvs_image *grey, double scale_factor,
                              int32_t min_neighbors, int32_t min_width, int32_t min_height,
                              int32_t max_width, int32_t max_height, cvs_rect *rects,
                              size_t capacity, size_t *count, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (count) *count = 0;
    if (cascade == nullptr || grey == nullptr || grey->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no cascade or empty image");
    }
    if (!(scale_factor > 1.0)) return fail(error, CVS_INVALID_ARGUMENT, "scale factor must be > 1");
    if (min_neighbors < 0) return fail(error, CVS_INVALID_ARGUMENT, "min neighbours must be >= 0");
    std::vector<cv::Rect> found;
    cascade->classifier.detectMultiScale(grey_of(grey->mat), found, scale_factor, min_neighbors, 0,
                                         cv::Size(std::max(0, min_width), std::max(0, min_height)),
                                         cv::Size(std::max(0, max_width), std::max(0, max_height)));
    const size_t stored = std::min(found.size(), rects ? capacity : size_t(0));
    for (size_t i = 0; i < stored; ++i) {
        rects[i] = cvs_rect{found[i].x, found[i].y, found[i].width, found[i].height};
    }
    if (count) *count = found.size();
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_cascade_detect_in(cvs_cascade *cascade, const cvs_image *image, cvs_rect region,
                                 double shrink, double scale_factor, int32_t min_neighbors,
                                 int32_t min_width, int32_t min_height, int32_t max_width,
                                 int32_t max_height, cvs_rect *rects, int32_t *neighbors,
                                 size_t capacity, size_t *count, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (count) *count = 0;
    if (cascade == nullptr || image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no cascade or empty image");
    }
    if (!(scale_factor > 1.0)) return fail(error, CVS_INVALID_ARGUMENT, "scale factor must be > 1");
    if (min_neighbors < 0) return fail(error, CVS_INVALID_ARGUMENT, "min neighbours must be >= 0");
    if (!(shrink >= 1.0) || shrink > 64.0) return fail(error, CVS_INVALID_ARGUMENT, "shrink must be in [1, 64]");
    const cv::Mat grey = grey_of(image->mat);
    cv::Rect area(0, 0, grey.cols, grey.rows);
    if (region.width > 0 && region.height > 0) {
        area &= cv::Rect(region.x, region.y, region.width, region.height);
        if (area.empty()) return CVS_OK;
    }
    cv::Mat view = grey(area);
    const bool shrinking = shrink > 1.0;
    if (shrinking) {
        cv::Mat small;
        const int w = std::max(1, int(std::lround(area.width / shrink)));
        const int h = std::max(1, int(std::lround(area.height / shrink)));
        cv::resize(view, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
        view = small;
    }
    const double sx = double(area.width) / view.cols, sy = double(area.height) / view.rows;
    auto scaled = [&](int32_t v, double s) { return v > 0 ? std::max(1, int(std::floor(v / s))) : 0; };
    auto scaled_up = [&](int32_t v, double s) { return v > 0 ? int(std::ceil(v / s)) : 0; };
    std::vector<cv::Rect> found;
    std::vector<int> counts;
    const auto detect = [&](const cv::Range &) {
        detect_multi_scale_banded(cascade->classifier, view, scale_factor, min_neighbors,
                                  cv::Size(scaled(min_width, sx), scaled(min_height, sy)),
                                  cv::Size(scaled_up(max_width, sx), scaled_up(max_height, sy)), found, counts);
    };
    if (view.cols >= 24 && view.rows >= 24) {
        if (area.area() * 4 <= grey.cols * grey.rows) {
            // A small region: detectMultiScale's own parallel loops (one per scale) would cost
            // more in thread hand-offs than they save, and on a loaded machine each hand-off can
            // wait a scheduler slice. Inside a parallel_for_ of one item OpenCV runs the body on
            // this thread and every nested parallel loop serially.
            cv::parallel_for_(cv::Range(0, 1), detect);
        } else {
            detect(cv::Range(0, 1));
        }
    }
    const size_t stored = std::min(found.size(), rects ? capacity : size_t(0));
    for (size_t i = 0; i < stored; ++i) {
        const cv::Rect &r = found[i];
        if (shrinking) {
            const int x0 = int(std::lround(r.x * sx)), y0 = int(std::lround(r.y * sy));
            const int x1 = int(std::lround((r.x + r.width) * sx)), y1 = int(std::lround((r.y + r.height) * sy));
            rects[i] = cvs_rect{area.x + x0, area.y + y0, x1 - x0, y1 - y0};
        } else {
            rects[i] = cvs_rect{area.x + r.x, area.y + r.y, r.width, r.height};
        }
        if (neighbors) neighbors[i] = i < counts.size() ? counts[i] : 0;
    }
    if (count) *count = found.size();
    return CVS_OK;
    CVS_GUARD_END
}

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

cvs_status cvs_draw_rect(cvs_image *image, cvs_rect rect, cvs_color color, int32_t thickness,
                         cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) return fail(error, CVS_INVALID_ARGUMENT, "empty image");
    cv::rectangle(image->mat, cv::Rect(rect.x, rect.y, rect.width, rect.height), scalar(color),
                  std::max(1, thickness), cv::LINE_AA);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_fill_rect(cvs_image *image, cvs_rect rect, cvs_color color, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) return fail(error, CVS_INVALID_ARGUMENT, "empty image");
    cv::rectangle(image->mat, cv::Rect(rect.x, rect.y, rect.width, rect.height), scalar(color),
                  cv::FILLED);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_draw_line(cvs_image *image, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                         cvs_color color, int32_t thickness, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) return fail(error, CVS_INVALID_ARGUMENT, "empty image");
    if (thickness < 1) return fail(error, CVS_INVALID_ARGUMENT, "thickness must be >= 1");
    cv::line(image->mat, cv::Point(x0, y0), cv::Point(x1, y1), scalar(color), thickness, cv::LINE_AA);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_draw_text(cvs_image *image, const char *text, int32_t x, int32_t y,
                         double font_scale, cvs_color color, int32_t thickness, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty() || text == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "empty image or no text");
    }
    cv::putText(image->mat, text, cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, font_scale,
                scalar(color), std::max(1, thickness), cv::LINE_AA);
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_text_size(const char *text, double font_scale, int32_t thickness, int32_t *width,
                         int32_t *height, int32_t *baseline, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (text == nullptr) return fail(error, CVS_INVALID_ARGUMENT, "no text");
    int base = 0;
    const cv::Size size =
        cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font_scale, std::max(1, thickness), &base);
    if (width) *width = size.width;
    if (height) *height = size.height;
    if (baseline) *baseline = base;
    return CVS_OK;
    CVS_GUARD_END
}

// ---------------------------------------------------------------------------------------------
// Windows
// ---------------------------------------------------------------------------------------------

cvs_status cvs_window_create(const char *title, int32_t width, int32_t height, cvs_window **out,
                             cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || title == nullptr) {
        return fail(error, CVS_INVALID_ARGUMENT, "no title or output handle");
    }
    const std::string problem = display_problem();
    if (!problem.empty()) return fail(error, CVS_ERROR, problem);
    auto window = std::make_unique<cvs_window>();
    window->name = title;
    const HighGUI &g = gui();
    g.named_window(window->name, kWindowNormal | kWindowKeepRatio | kWindowGuiNormal);
    if (width > 0 && height > 0) g.resize_window(window->name, width, height);
    *out = window.release();
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_window_destroy(cvs_window *window) {
    if (window == nullptr) return;
    try {
        const HighGUI &g = gui();
        g.destroy_window(window->name);
        g.wait_key(1);  // let the GUI process the close
    } catch (...) {
    }
    try {
        delete window;
    } catch (...) {
    }
}

cvs_status cvs_window_show(cvs_window *window, const cvs_image *image, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (window == nullptr || image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no window or empty image");
    }
    gui().imshow(window->name, cv::_InputArray(image->mat));
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_wait_key(int32_t delay_ms, int32_t *key, cvs_error *error) {
    CVS_GUARD_BEGIN
    const int k = gui().wait_key(delay_ms);
    if (key) *key = k;
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_poll_key(int32_t *key, cvs_error *error) {
    CVS_GUARD_BEGIN
    const int k = gui().poll_key();
    if (key) *key = k;
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_window_is_closed(cvs_window *window, int32_t *closed, cvs_error *error) {
    if (closed) *closed = 0;
    if (window == nullptr) return fail(error, CVS_INVALID_ARGUMENT, "no window");
    try {
        const double visible = gui().get_window_property(window->name, kWindowPropVisible);
        if (closed) *closed = visible < 1.0 ? 1 : 0;
    } catch (...) {
        // Backends throw "NULL window" for a window the user destroyed: that is a closed window.
        if (closed) *closed = 1;
    }
    return CVS_OK;
}

// ---------------------------------------------------------------------------------------------
// Video writer
// ---------------------------------------------------------------------------------------------

cvs_status cvs_writer_open(const char *path, const char *fourcc, double fps, int32_t width,
                           int32_t height, cvs_writer **out, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (out == nullptr || path == nullptr || fourcc == nullptr || std::strlen(fourcc) != 4) {
        return fail(error, CVS_INVALID_ARGUMENT, "need a path, a four-character code and a handle");
    }
    if (width <= 0 || height <= 0 || !(fps > 0)) {
        return fail(error, CVS_INVALID_ARGUMENT, "size and fps must be positive");
    }
    auto writer = std::make_unique<cvs_writer>();
    writer->writer = std::make_unique<LoadedWriter>(videoio().writer_constructor);
    cv::VideoWriter &video = writer->writer->get();
    // cv::VideoWriter::fourcc, which is not virtual: the four characters, first in the low byte.
    const int code = (fourcc[0] & 255) | (fourcc[1] & 255) << 8 | (fourcc[2] & 255) << 16 | (fourcc[3] & 255) << 24;
    if (!video.open(path, code, fps, cv::Size(width, height), true) || !video.isOpened()) {
        return fail(error, CVS_ERROR, std::string(path) + ": could not open for writing video");
    }
    *out = writer.release();
    return CVS_OK;
    CVS_GUARD_END
}

cvs_status cvs_writer_write(cvs_writer *writer, const cvs_image *image, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (writer == nullptr || image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no writer or empty image");
    }
    writer->writer->get().write(cv::_InputArray(image->mat));
    return CVS_OK;
    CVS_GUARD_END
}

void cvs_writer_destroy(cvs_writer *writer) {
    if (writer == nullptr) return;
    try {
        if (writer->writer) writer->writer->get().release();
    } catch (...) {
    }
    try {
        delete writer;
    } catch (...) {
    }
}

}  // extern "C"
