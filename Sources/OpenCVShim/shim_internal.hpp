// shim_internal.hpp: what the shim's source files share: the handles behind opencv_shim.h's
// opaque types, the one-line error helpers, OpenCV's modules loaded with dlopen, and the
// CVS_GUARD macros that keep every C++ exception on this side of the C API. Internal to the
// shim; Swift sees only opencv_shim.h.
#ifndef OPENCV_SHIM_INTERNAL_HPP
#define OPENCV_SHIM_INTERNAL_HPP

#include "opencv_shim.h"
#include "video_file.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/videoio.hpp>

#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace cvs {

// Writes `message` into `error` (when given) and returns `status`.
cvs_status fail(cvs_error *error, cvs_status status, const std::string &message);
// A cv::Exception on one line: its message and function, without OpenCV's location prefix.
std::string describe(const cv::Exception &e);
bool file_exists(const char *path);
double monotonic_ms();
inline cv::Scalar scalar(cvs_color c) { return cv::Scalar(c.b, c.g, c.r); }
// Grey view of an image: the image itself when it already has one channel.
cv::Mat grey_of(const cv::Mat &m);

// preprocessing.cpp: the one resize-and-scale path of live faces and FER-2013 rows.
cvs_status resize_to_floats(const cv::Mat &grey, int32_t out_width, int32_t out_height,
                            int32_t out_channels, float scale, float offset, float *out,
                            size_t capacity, cvs_error *error);

// display_probe.cpp: empty when a window can be opened, otherwise why not.
std::string display_problem();

// haar_bands.cpp: detectMultiScale over bands of pyramid levels, the boxes of one call.
void detect_multi_scale_banded(cv::CascadeClassifier &classifier, const cv::Mat &view, double scale_factor,
                               int min_neighbors, cv::Size min_size, cv::Size max_size,
                               std::vector<cv::Rect> &found, std::vector<int> &counts);

// opencv_modules.cpp: highgui, videoio and imgcodecs, loaded with dlopen on first use.
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
const HighGUI &highgui();
// The loaded highgui, or an exception saying why there is none.
const HighGUI &gui();

// videoio: only the two constructors are looked up. Every other member the shim calls on a
// cv::VideoCapture or cv::VideoWriter (open, grab, retrieve, get, set, write, release, the
// destructor) is virtual in OpenCV 4, so it is reached through the object's vtable, which the
// constructor sets: nothing here refers to videoio at link time.
struct VideoIO {
    void (*capture_constructor)(void *) = nullptr;  // cv::VideoCapture::VideoCapture()
    void (*writer_constructor)(void *) = nullptr;   // cv::VideoWriter::VideoWriter()
    std::string problem;
};
const VideoIO &videoio();  // throws when videoio cannot be loaded

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

// imgcodecs, for still images (imread, imwrite, imdecode).
struct ImgCodecs {
    cv::Mat (*imread)(const std::string &, int) = nullptr;
    bool (*imwrite)(const std::string &, const cv::_InputArray &, const std::vector<int> &) = nullptr;
    cv::Mat (*imdecode)(const cv::_InputArray &, int) = nullptr;
    std::string problem;
};
const ImgCodecs &imgcodecs();  // throws when imgcodecs cannot be loaded

// OpenCV's highgui constants (opencv2/highgui.hpp), which is not included: nothing here may
// reference highgui at link time.
constexpr int kWindowNormal = 0x00000000, kWindowKeepRatio = 0x00000000, kWindowGuiNormal = 0x00000010;
constexpr int kWindowPropVisible = 4;

}  // namespace cvs

struct cvs_image {
    cv::Mat mat;
};

struct cvs_cascade {
    cv::CascadeClassifier classifier;
};

struct cvs_window {
    std::string name;
};

// A video file read with FFmpeg directly, or a capture opened by OpenCV's videoio (cameras;
// files, when the benchmark asks for OpenCV's own decoding).
struct cvs_capture {
    std::unique_ptr<cvs::VideoFile> file;
    std::unique_ptr<cvs::LoadedCapture> opencv;
    bool is_camera = false;
    bool grey = false;
};

struct cvs_writer {
    std::unique_ptr<cvs::LoadedWriter> writer;
};

#define CVS_GUARD_BEGIN try {
#define CVS_GUARD_END                                                          \
    }                                                                          \
    catch (const cv::Exception &e) {                                           \
        return cvs::fail(error, CVS_ERROR, "OpenCV: " + cvs::describe(e));               \
    }                                                                          \
    catch (const std::exception &e) {                                          \
        return cvs::fail(error, CVS_ERROR, e.what());                               \
    }                                                                          \
    catch (...) {                                                              \
        return cvs::fail(error, CVS_ERROR, "unknown C++ exception");                \
    }

#endif
