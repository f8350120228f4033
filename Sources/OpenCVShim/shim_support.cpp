// shim_support.cpp: the one-line error helpers and small utilities every part of the shim uses.

#include "shim_internal.hpp"

#include <opencv2/core/utils/logger.hpp>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace cvs {

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

namespace {

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
const QuietOpenCV quiet_opencv;  // set when the library loads, before any OpenCV call

}  // namespace

double monotonic_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

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

}  // namespace cvs
